/// How a ``KafkaConsumer`` joins its group and fetches.
///
/// Offsets are stored by the application (``KafkaConsumer/storeOffset(for:)``) after its work is
/// done and committed in the background, which gives at-least-once delivery. Anything not modelled
/// here can be set through ``properties``, which wins over the fields.
public struct KafkaConsumerConfiguration: Sendable {
    public enum OffsetReset: String, Sendable, Hashable {
        /// Start at the oldest retained message.
        case earliest
        /// Start at the next message produced.
        case latest
    }

    /// Brokers to bootstrap from, as `host:port`. Required.
    public var bootstrapServers: [String]
    /// The consumer group. Required.
    public var groupID: String
    /// Default: `"agentbus"`.
    public var clientID: String
    /// Where a group with no committed offset starts (`auto.offset.reset`). Default: `.earliest`,
    /// so events published before an agent's first start are not skipped.
    public var autoOffsetReset: OffsetReset
    /// How long the group waits for a silent member before rebalancing (`session.timeout.ms`).
    /// Default: 45 s (Kafka's). A second member joins the embedded cluster only after this minus
    /// 1 s, so use 6 s there.
    public var sessionTimeout: Duration
    /// How often stored offsets are committed (`auto.commit.interval.ms`). Default: 5 s.
    public var autoCommitInterval: Duration
    /// How long a broker may hold an empty fetch (`fetch.wait.max.ms`). Default: 500 ms (Kafka's).
    /// The embedded cluster holds every empty fetch this long, so use a few ms there.
    public var fetchWaitMax: Duration
    /// Partition assignors (`partition.assignment.strategy`). Default: `range,roundrobin`
    /// (cooperative-sticky has bugs in librdkafka 2.0.2).
    public var assignmentStrategy: String
    /// Most records handed over in one batch between the polling thread and the reader; a bigger
    /// batch means fewer hand-overs. Default: 1024.
    public var maxBatchSize: Int
    /// Batches the polling thread may buffer ahead of the reader before it stops fetching.
    /// Default: 4.
    public var maxBufferedBatches: Int
    /// Default: plaintext.
    public var security: KafkaSecurity
    /// Any librdkafka property, applied after (and so overriding) the fields above.
    public var properties: [String: String]
    /// Called on the consumer's polling thread when partitions are about to be given up in a
    /// rebalance, before the group can hand them to another member; nil by default.
    ///
    /// The partitions' records are no longer current (``KafkaConsumer/isCurrent(_:)``) while it
    /// runs, but their offsets can still be stored, and librdkafka commits what is stored by the
    /// time it returns as it gives the partitions up. (Kafka accepts that commit while the group
    /// prepares its rebalance; the embedded cluster refuses it, so there the next owner reads
    /// those records again.) Blocking in it (to let work in progress finish)
    /// holds up the rebalance for the whole group, and no records are delivered meanwhile: keep
    /// it bounded, well under `max.poll.interval.ms`. It is not called when the consumer closes.
    public var onRevoke: (@Sendable ([KafkaTopicPartition]) -> Void)?

    public init(
        bootstrapServers: [String],
        groupID: String,
        clientID: String = "agentbus",
        autoOffsetReset: OffsetReset = .earliest,
        sessionTimeout: Duration = .seconds(45),
        autoCommitInterval: Duration = .seconds(5),
        fetchWaitMax: Duration = .milliseconds(500),
        assignmentStrategy: String = "range,roundrobin",
        maxBatchSize: Int = 1024,
        maxBufferedBatches: Int = 4,
        security: KafkaSecurity = .plaintext,
        properties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.clientID = clientID
        self.autoOffsetReset = autoOffsetReset
        self.sessionTimeout = sessionTimeout
        self.autoCommitInterval = autoCommitInterval
        self.fetchWaitMax = fetchWaitMax
        self.assignmentStrategy = assignmentStrategy
        self.maxBatchSize = maxBatchSize
        self.maxBufferedBatches = maxBufferedBatches
        self.security = security
        self.properties = properties
    }

    /// The session timeout that applies: `session.timeout.ms` in ``properties`` when set there
    /// (it overrides the field), else ``sessionTimeout``; nil when the property is not a number.
    var effectiveSessionMilliseconds: Int64? {
        guard let text = properties["session.timeout.ms"] else { return sessionTimeout.wholeMilliseconds }
        return Int64(text)
    }

    /// A third of the session that applies (Kafka's default ratio), at least 100 ms: the
    /// heartbeat interval unless ``properties`` sets `heartbeat.interval.ms` itself.
    var defaultHeartbeatMilliseconds: Int64 {
        max(100, (effectiveSessionMilliseconds ?? sessionTimeout.wholeMilliseconds) / 3)
    }

    /// Checks the group timing of the final, merged settings: a heartbeat interval that is not
    /// below the session timeout lets the session expire between heartbeats, so the member
    /// would leave and rejoin its group again and again.
    ///
    /// Values that are not numbers are left to librdkafka, whose error names the property and
    /// the value.
    ///
    /// - Throws: ``KafkaError`` (code `configuration`) naming both values.
    public func validate() throws(KafkaError) {
        guard let session = effectiveSessionMilliseconds else { return }
        var heartbeat = defaultHeartbeatMilliseconds
        if let text = properties["heartbeat.interval.ms"] {
            guard let value = Int64(text) else { return }
            heartbeat = value
        }
        guard heartbeat < session else {
            throw .configuration(
                "heartbeat.interval.ms (\(heartbeat) ms) must be below session.timeout.ms (\(session) ms)")
        }
    }

    /// The settings the embedded cluster needs (see ``EmbeddedCluster``): a 6 s session so a
    /// second member joins in 5 s, and a 5 ms fetch wait so a hop does not cost half a second.
    public mutating func tuneForEmbeddedCluster() {
        sessionTimeout = .seconds(6)
        fetchWaitMax = .milliseconds(5)
    }
}
