/// When a record was created or appended, as Kafka reports it.
public struct KafkaTimestamp: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Set by the producer.
        case createTime
        /// Set by the broker when it appended the record.
        case logAppendTime
    }

    public let millisecondsSince1970: Int64
    public let kind: Kind

    public init(millisecondsSince1970: Int64, kind: Kind) {
        self.millisecondsSince1970 = millisecondsSince1970
        self.kind = kind
    }
}

/// A record received by a ``KafkaConsumer``.
///
/// Its key, value and headers are views into the batch it arrived in, so receiving it allocated
/// nothing; copy what you keep (``KafkaBytes/array``) if you hold on to a few records of a large
/// batch for a long time.
public struct KafkaRecord: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let timestamp: KafkaTimestamp?
    /// `nil` when the record has no key.
    public let key: KafkaBytes?
    /// Empty for a record with a null value (a tombstone).
    public let value: KafkaBytes
    public let headers: KafkaRecordHeaders
    /// Index of the topic in the consumer's topic table, so storing its offset needs no lookup.
    let topicSlot: Int32
    /// The consumer's assignment generation when the record was fetched; records from an
    /// earlier one were fetched before a revocation (see ``KafkaConsumer/isCurrent(_:)``).
    let generation: UInt64

    /// The consumer's assignment generation when the record was fetched: it grows at each
    /// rebalance, so work due once per assignment (restoring state) can tell a new one. 0 for a
    /// record built in Swift.
    public var assignmentGeneration: UInt64 { generation }

    init(
        topic: String, partition: Int32, offset: Int64, timestamp: KafkaTimestamp?, key: KafkaBytes?,
        value: KafkaBytes, headers: KafkaRecordHeaders, topicSlot: Int32, generation: UInt64 = 0
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
        self.topicSlot = topicSlot
        self.generation = generation
    }

    /// A record built in Swift rather than received: for unit tests of code that handles records.
    /// Its offset cannot be stored with a consumer.
    public init(
        topic: String, partition: Int32 = 0, offset: Int64 = 0, timestamp: KafkaTimestamp? = nil,
        key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = []
    ) {
        self.init(
            topic: topic, partition: partition, offset: offset, timestamp: timestamp,
            key: key.map { KafkaBytes($0) }, value: KafkaBytes(value), headers: KafkaRecordHeaders(headers),
            topicSlot: -1)
    }
}

/// Where a produced message landed.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
}

/// A partition of a topic.
public struct KafkaTopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)/\(partition)" }
}

/// An offset of a partition: for a committed offset, the next record the group will read.
public struct KafkaTopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    public let topicPartition: KafkaTopicPartition
    /// `nil` when the group has no committed offset for the partition.
    public let offset: Int64?

    public init(topicPartition: KafkaTopicPartition, offset: Int64?) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public var description: String { "\(topicPartition)@\(offset.map(String.init) ?? "none")" }
}
