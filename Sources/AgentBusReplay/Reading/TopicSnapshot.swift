import AgentBus
import Kafka

/// What a ``TopicSnapshotReader`` read: every record the topics held, from the oldest the
/// brokers keep to the high watermark at the moment the read started (or within the
/// ``TopicSnapshotBounds`` the read was given).
public struct TopicSnapshot: Sendable {
    /// The records of each topic that was read, in partition order, then offset order. A topic
    /// that exists but is empty maps to an empty array; a missing topic has no entry.
    public var records: [String: [KafkaRecord]]
    /// The topics that do not exist on the cluster (read as empty).
    public var missingTopics: Set<String>
    /// Where the read of each partition ended (exclusive): the high watermark when the read
    /// started, or the end its bounds gave. Every partition of every topic that exists has one.
    public var endOffsets: [KafkaTopicPartition: Int64]
    /// Where the read of each partition started: the oldest record the brokers kept, or the start
    /// its bounds gave. Equal to the end when nothing was read from the partition.
    public var startOffsets: [KafkaTopicPartition: Int64]
    /// The oldest offset each partition still held (its low watermark) when the read started.
    /// Above 0, retention or compaction has dropped older records.
    public var oldestOffsets: [KafkaTopicPartition: Int64]

    package init(
        records: [String: [KafkaRecord]], missingTopics: Set<String>, endOffsets: [KafkaTopicPartition: Int64],
        startOffsets: [KafkaTopicPartition: Int64] = [:], oldestOffsets: [KafkaTopicPartition: Int64] = [:]
    ) {
        self.records = records
        self.missingTopics = missingTopics
        self.endOffsets = endOffsets
        self.startOffsets = startOffsets
        self.oldestOffsets = oldestOffsets
    }

    /// The records of `topic`; empty when it is empty or missing.
    public subscript(topic: String) -> [KafkaRecord] { records[topic] ?? [] }

    /// True when `topic` exists on the cluster.
    public func exists(_ topic: String) -> Bool { !missingTopics.contains(topic) }
}
