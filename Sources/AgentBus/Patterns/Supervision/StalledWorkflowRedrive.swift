import Foundation
import Kafka

/// Sends a stalled workflow's last handled event again, so its agent gets another go at it:
/// what ``StalledWorkflowPolicy/redrive`` does.
///
/// The event is read back from where its activity record says it was read, and sent to its
/// event topic (the original one when it was read from a retry topic) with a new `ce_id`, the
/// time now, and everything else kept: correlation and causation IDs, hops, trace context,
/// key, payload and foreign headers. ``redriveOfHeader`` names the event it repeats. The new ID
/// is what makes the agent handle it again rather than drop it as a duplicate; the correlation
/// ID keeps it in the same workflow. (`agentbus replay redrive` is different: it starts a new
/// workflow, to reproduce one.)
struct StalledWorkflowRedrive: Sendable {
    /// `agentbus_redrive_of`: the `ce_id` of the event this one sends again.
    static let redriveOfHeader = "agentbus_redrive_of"

    let consumerConfiguration: KafkaConsumerConfiguration
    let producer: KafkaProducer
    /// How long reading the event back may take.
    var timeout: Duration = .seconds(10)

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends the event of `activity` again; returns its new `ce_id`.
    func resend(_ activity: ActivityRecord) async throws -> String {
        let record = try await read(KafkaTopicPartition(topic: activity.topic, partition: activity.partition), at: activity.offset)
        var envelope = try EventEnvelope(record: record)
        let originalID = envelope.id
        envelope.id = EventID.random().description
        envelope.time = .now()
        var topic = record.topic
        if AgentTopics.retryTier(topic) != nil, let origin = record.headers.string(named: RuntimeHeader.retryOrigin),
            let originTopic = origin.split(separator: "/").first
        {
            topic = String(originTopic)
        }
        var headers = envelope.kafkaHeaders
        let managed = Set(headers.map(\.name)).union(EnvelopeHeader.interpreted).union(RuntimeHeader.all)
            .union([Self.redriveOfHeader])
        for header in record.headers where !managed.contains(header.name) && !header.name.hasPrefix("ce_") {
            headers.append(KafkaHeader(name: header.name, value: header.value?.array))
        }
        headers.append(KafkaHeader(name: Self.redriveOfHeader, value: originalID))
        _ = try await producer.send(topic: topic, key: record.key?.array, value: envelope.data, headers: headers)
        return envelope.id
    }

    /// The record at `offset` of `partition`, read with a consumer of its own that joins no
    /// group and commits nothing.
    private func read(_ partition: KafkaTopicPartition, at offset: Int64) async throws -> KafkaRecord {
        var configuration = consumerConfiguration
        configuration.groupID = "\(configuration.groupID)-redrive-\(UUID().uuidString)"
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign([partition: .offset(offset)])
        let timeout = timeout
        let found = try await withThrowingTaskGroup(of: KafkaRecord?.self) { group in
            group.addTask {
                for try await record in consumer.messages where record.topic == partition.topic {
                    return record.offset == offset ? record : nil
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await consumer.close(timeout: .seconds(2))
        guard let found else {
            throw Problem(description: "\(partition)@\(offset) could not be read back within \(timeout) (gone with retention?)")
        }
        return found
    }
}
