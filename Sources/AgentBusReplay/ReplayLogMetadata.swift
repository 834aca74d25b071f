import AgentBus

/// Where and when a replay log was read: saved as the first line of a `--save` file, so a log
/// read back later gives the same answers (stall decisions use `readAt`, not the clock).
public struct ReplayLogMetadata: Sendable, Hashable {
    /// When the read started, ms since 1970.
    public var readAt: Int64
    /// What was read, e.g. `127.0.0.1:39211 (embedded cluster)`.
    public var source: String
    /// Whether it was the embedded cluster, whose partitions keep at most 5 MiB.
    public var embeddedCluster: Bool
    /// `--since` and `--until` as given, for the record.
    public var since: String?
    public var until: String?
    /// Every partition read.
    public var partitions: [ReplayPartitionRange]

    public init(
        readAt: Int64, source: String, embeddedCluster: Bool, since: String? = nil, until: String? = nil,
        partitions: [ReplayPartitionRange] = []
    ) {
        self.readAt = readAt
        self.source = source
        self.embeddedCluster = embeddedCluster
        self.since = since
        self.until = until
        self.partitions = partitions
    }
}
