import Kafka

/// What a ``TopicSnapshotReader`` read: every record the topics held, from the oldest the
/// brokers keep to the high watermark at the moment the read started.
public struct TopicSnapshot: Sendable {
    /// The records of each topic that was read, in partition order, then offset order. A topic
    /// that exists but is empty maps to an empty array; a missing topic has no entry.
    public var records: [String: [KafkaRecord]]
    /// The topics that do not exist on the cluster (read as empty).
    public var missingTopics: Set<String>
    /// Each partition's high watermark when the read started: the snapshot's end.
    public var endOffsets: [KafkaTopicPartition: Int64]

    public init(records: [String: [KafkaRecord]], missingTopics: Set<String>, endOffsets: [KafkaTopicPartition: Int64]) {
        self.records = records
        self.missingTopics = missingTopics
        self.endOffsets = endOffsets
    }

    /// The records of `topic`; empty when it is empty or missing.
    public subscript(topic: String) -> [KafkaRecord] { records[topic] ?? [] }

    /// True when `topic` exists on the cluster.
    public func exists(_ topic: String) -> Bool { !missingTopics.contains(topic) }
}
