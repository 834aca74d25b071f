import AgentBus
import Kafka

/// Where a ``TopicSnapshotReader`` starts and stops in each partition. The default,
/// ``everything``, reads from the oldest record the brokers keep to the high watermark at the
/// start of the read; replay's `--since` and `--until` narrow that down by time or by offset.
///
/// Ends are exclusive, like a high watermark: a read that ends at offset 7 reads offsets up to 6.
/// Whatever the bounds say, a read never goes past the high watermark it found when it started,
/// so it always ends.
public struct TopicSnapshotBounds: Sendable, Hashable {
    /// A place in a partition.
    public enum Position: Sendable, Hashable {
        /// This offset, moved into the range the partition holds (a start before the oldest record
        /// kept starts there; an end past the high watermark ends there).
        case offset(Int64)
        /// The earliest record whose timestamp is at or after this time, in milliseconds since
        /// 1970, or the high watermark when every record is older. As for Kafka's own lookup by
        /// time, a later record may carry an older timestamp (producers' clocks differ), and is
        /// read if it lies between the start and the end.
        case time(Int64)
    }

    /// Where every partition starts unless ``partitionStarts`` names it. Nil: the oldest record kept.
    public var start: Position?
    /// Where every partition ends unless ``partitionEnds`` names it. Nil: the high watermark.
    public var end: Position?
    /// Starts of single partitions, which win over ``start``.
    public var partitionStarts: [KafkaTopicPartition: Position]
    /// Ends of single partitions, which win over ``end``.
    public var partitionEnds: [KafkaTopicPartition: Position]

    public init(
        start: Position? = nil, end: Position? = nil, partitionStarts: [KafkaTopicPartition: Position] = [:],
        partitionEnds: [KafkaTopicPartition: Position] = [:]
    ) {
        self.start = start
        self.end = end
        self.partitionStarts = partitionStarts
        self.partitionEnds = partitionEnds
    }

    /// Every record, oldest kept to the high watermark.
    public static let everything = TopicSnapshotBounds()

    /// Where `partition` starts; nil for the oldest record kept.
    public func start(of partition: KafkaTopicPartition) -> Position? { partitionStarts[partition] ?? start }

    /// Where `partition` ends; nil for the high watermark.
    public func end(of partition: KafkaTopicPartition) -> Position? { partitionEnds[partition] ?? end }

    /// The partitions named one by one, which a reader checks exist: a bound on a partition that
    /// is not read is almost always a typing mistake.
    package var namedPartitions: Set<KafkaTopicPartition> { Set(partitionStarts.keys).union(partitionEnds.keys) }
}
