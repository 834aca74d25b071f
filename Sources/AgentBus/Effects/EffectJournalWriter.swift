import Kafka
import Logging

/// Writes effect results to `<agent>.journal` and waits for the broker to acknowledge them.
package struct EffectJournalWriter: Sendable {
    let producer: KafkaProducer
    let agent: String
    let instance: String
    let logger: Logger

    package init(producer: KafkaProducer, agent: String, instance: String, logger: Logger) {
        self.producer = producer
        self.agent = agent
        self.instance = instance
        self.logger = logger
    }

    /// Sends `entry` and returns once the broker has it. A failure is logged and reported: the
    /// effect's result is then kept in this instance's memory only.
    @discardableResult
    package func write(
        _ entry: EffectJournalEntry, key: String, effect: String, correlationID: String, redacted: Bool, to topic: String
    ) async -> Bool {
        var headers = [
            KafkaHeader(name: EffectHeader.effect, value: effect),
            KafkaHeader(name: EffectHeader.correlationID, value: correlationID),
            KafkaHeader(name: EffectHeader.agent, value: agent),
            KafkaHeader(name: EffectHeader.instance, value: instance),
        ]
        if !entry.call.isEmpty { headers.append(KafkaHeader(name: EffectHeader.modelCall, value: entry.call)) }
        if redacted { headers.append(KafkaHeader(name: EffectHeader.journaled, value: "redacted")) }
        do {
            // `send`, not `produce`: the effect returns only once its record is on the broker.
            try await producer.send(topic: topic, key: key, value: entry.result, headers: headers)
            return true
        } catch {
            logger.warning(
                "effect result not journaled; it is kept in this instance's memory only",
                metadata: ["effect": "\(effect)", "topic": "\(topic)", "error": "\(error.message)"])
            return false
        }
    }
}
