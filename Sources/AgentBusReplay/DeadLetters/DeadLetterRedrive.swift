import AgentBus
import Kafka

/// The record that redrives a dead letter: sent to one of the agent's retry topics
/// (``DeadLetterInbox/retryTopic``), where the agent's runtime handles it like any retry that is
/// due.
///
/// It is the original event again (key, value and headers as the agent first read them, without
/// the dead letter's provenance), plus the retry headers: where the event was first read
/// (``RuntimeHeader/retryOrigin``, so a new failure dead-letters it under its event topic), the
/// due time (now), the attempts (reset to 0: a redrive is a fresh start, typically after a fix)
/// and ``RuntimeHeader/redrivenFrom``, which marks the dead letter as redriven.
public struct DeadLetterRedrive: Sendable {
    public let topic: String
    public let key: [UInt8]?
    public let value: [UInt8]
    public let headers: [KafkaHeader]

    public init(_ entry: DeadLetterInbox.Entry, retryTopic: String, now: EventTime = .now()) {
        let deadLetter = entry.deadLetter
        topic = retryTopic
        key = deadLetter.record.key?.array
        value = deadLetter.record.value.array
        var headers = deadLetter.originalHeaders
        headers.append(KafkaHeader(name: RuntimeHeader.redrivenFrom, value: entry.position.description))
        if let origin = deadLetter.origin {
            headers.append(KafkaHeader(name: RuntimeHeader.retryOrigin, value: origin.description))
        }
        headers.append(KafkaHeader(name: RuntimeHeader.retryDue, value: String(now.millisecondsSinceEpoch)))
        headers.append(KafkaHeader(name: RuntimeHeader.attempts, value: "0"))
        self.headers = headers
    }
}
