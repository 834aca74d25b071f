import AgentBus

/// Which offsets of one partition a replay read, and which the brokers still kept: how replay
/// tells that retention may have dropped the causes of what it shows.
public struct ReplayPartitionRange: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The oldest offset the brokers kept when the log was read (the low watermark).
    public var low: Int64
    /// The end of the read: the high watermark, or where `--until` put it.
    public var high: Int64
    /// The first offset read: `low`, or where `--since` put it.
    public var readFrom: Int64

    public init(topic: String, partition: Int32, low: Int64, high: Int64, readFrom: Int64) {
        self.topic = topic
        self.partition = partition
        self.low = low
        self.high = high
        self.readFrom = readFrom
    }

    /// True when the read began at the oldest record kept and older ones had been deleted.
    public var lostToRetention: Bool { low > 0 && readFrom <= low }
}
