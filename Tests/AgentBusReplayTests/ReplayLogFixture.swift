@testable import AgentBus
@testable import AgentBusReplay
import Kafka

/// Builds hand-made replay logs: events, activity records, dead letters and registry entries as
/// the runtime writes them, with times chosen by the test.
struct ReplayLogFixture {
    var records: [KafkaRecord] = []
    var offsets: [String: Int64] = [:]
    /// Milliseconds since 1970 of the fixture's "zero": 2026-11-21T05:00:00Z.
    static let base: Int64 = 1_795_237_200_000
    var readAt: Int64 = base + 3_600_000
    var partitions: [ReplayPartitionRange] = []
    var embedded = true

    private mutating func nextOffset(_ topic: String) -> Int64 {
        defer { offsets[topic, default: 0] += 1 }
        return offsets[topic, default: 0]
    }

    /// Appends an event; `at` is ms after ``base``.
    @discardableResult
    mutating func event(
        _ id: String, type: String = "test.agentbus.work.v1", correlation: String, cause: String? = nil,
        source: String = "/cli", at: Int64, topic: String = "test.work", data: String = #"{"n":1}"#, hops: Int = 0
    ) -> EventEnvelope {
        var envelope = EventEnvelope(
            id: id, source: source, type: type, time: EventTime(millisecondsSinceEpoch: Self.base + at),
            correlationID: correlation, causationID: cause, traceParent: .newRoot(), hops: hops, key: correlation,
            data: Array(data.utf8))
        envelope.dataSchema = nil
        records.append(KafkaRecord(
            topic: topic, offset: nextOffset(topic),
            timestamp: KafkaTimestamp(millisecondsSince1970: Self.base + at, kind: .createTime),
            key: Array(correlation.utf8), value: envelope.data, headers: envelope.kafkaHeaders))
        return envelope
    }

    /// Appends an activity record of `agent` handling event `id`.
    mutating func handled(
        _ id: String, by agent: String, correlation: String, outcome: ActivityRecord.Outcome = .ok,
        received: Int64, started: Int64, finished: Int64, attempts: Int = 1, published: [String] = [],
        failureClass: FailureClass? = nil, error: String? = nil, modelCalls: [ModelCallRecord] = []
    ) {
        let activity = ActivityRecord(
            agent: agent, instance: "\(agent)-1", eventId: id, type: "test", source: "/cli", correlationId: correlation,
            causationId: nil, topic: "test.work", partition: 0, offset: 0, receivedAt: Self.base + received,
            startedAt: Self.base + started, finishedAt: Self.base + finished, outcome: outcome, attempts: attempts,
            published: published, failureClass: failureClass, error: error, modelCalls: modelCalls)
        records.append(KafkaRecord(
            topic: AgentTopics.activity, offset: nextOffset(AgentTopics.activity),
            timestamp: KafkaTimestamp(millisecondsSince1970: Self.base + finished, kind: .createTime),
            key: Array(correlation.utf8), value: activity.jsonBytes))
    }

    /// Appends a dead letter of `envelope` written by `agent`.
    mutating func deadLettered(
        _ envelope: EventEnvelope, by agent: String, failureClass: FailureClass, reason: String, at: Int64
    ) {
        let original = KafkaRecord(
            topic: "test.work", offset: 0, key: Array(envelope.correlationID.utf8), value: envelope.data,
            headers: envelope.kafkaHeaders)
        let headers = DeadLetter.headers(
            original: original, origin: RecordOrigin(topic: "test.work", partition: 0, offset: 0), group: agent,
            agent: agent, instance: "\(agent)-1", failureClass: failureClass, attempts: 3, errorType: "Error",
            reason: reason, trace: "trace", failedAt: EventTime(millisecondsSinceEpoch: Self.base + at))
        let topic = AgentTopics.deadLetter(of: agent)
        records.append(KafkaRecord(
            topic: topic, offset: nextOffset(topic),
            timestamp: KafkaTimestamp(millisecondsSince1970: Self.base + at, kind: .createTime),
            key: Array(envelope.correlationID.utf8), value: envelope.data, headers: headers))
    }

    /// Appends a registry record: `agent` consumes `types`.
    mutating func registered(_ agent: String, consumes types: [String]) {
        let record = RegistryRecord(
            agent: agent, version: "1", consumes: types, produces: [], capabilities: [], topics: [],
            instance: "\(agent)-1", time: Self.base)
        records.append(KafkaRecord(
            topic: AgentTopics.registry, offset: nextOffset(AgentTopics.registry),
            timestamp: KafkaTimestamp(millisecondsSince1970: Self.base, kind: .createTime), key: Array(agent.utf8),
            value: record.jsonBytes))
    }

    /// Appends a record of `agent`'s effect journal, as the runtime writes it: keyed
    /// `<event>/<effect>`, with the effect and workflow in headers; nil `value` is a tombstone.
    mutating func journaled(_ event: String, effect: String, by agent: String, correlation: String?, value: String?) {
        let topic = AgentTopics.journal(of: agent)
        var headers: [KafkaHeader] = []
        if value != nil {
            headers.append(KafkaHeader(name: "agentbus_effect", value: effect))
            if let correlation { headers.append(KafkaHeader(name: "agentbus_correlation_id", value: correlation)) }
        }
        records.append(KafkaRecord(
            topic: topic, offset: nextOffset(topic), key: Array("\(event)/\(effect)".utf8), value: Array((value ?? "").utf8),
            headers: headers))
    }

    /// Appends a raw record.
    mutating func raw(topic: String, value: [UInt8], headers: [KafkaHeader] = []) {
        records.append(KafkaRecord(topic: topic, offset: nextOffset(topic), value: value, headers: headers))
    }

    var log: ReplayLog {
        ReplayLog(
            records: records,
            metadata: ReplayLogMetadata(
                readAt: readAt, source: "fixture", embeddedCluster: embedded, partitions: partitions))
    }
}
