import AgentBus
import Kafka
import Logging

/// Reads what replay needs from Kafka: every event topic, every agent's retry and dead-letter
/// topics, `agentbus.activity` and `agentbus.registry`, in one bounded snapshot; and, when asked
/// (``ReplayJournalSelection``), the agents' effect journals, for reruns.
///
/// It reads like ``TopicSnapshotReader`` (on which it is built): `assign()` with a throwaway
/// group ID and auto-commit off, so it never commits and never disturbs the agents' groups, from
/// the oldest record kept (or `since`) to the high watermark at the start of the read (or
/// `until`). Which topics are event topics is not known without the schema catalog, and events
/// from foreign producers may be anywhere, so it reads every topic except Kafka's internal ones
/// (names starting with `__`) and `agentbus.heartbeats`, which says nothing about workflows and
/// is the busiest runtime topic.
public struct ReplayReader: Sendable {
    /// Reads the topics; its timeout bounds the whole read.
    public var snapshotReader: TopicSnapshotReader
    /// True when the brokers are AgentBus's embedded cluster (recorded in the metadata, so
    /// replay can warn that its 5 MiB per partition may have dropped old events).
    public var embeddedCluster: Bool

    public init(snapshotReader: TopicSnapshotReader, embeddedCluster: Bool) {
        self.snapshotReader = snapshotReader
        self.embeddedCluster = embeddedCluster
    }

    /// Whether replay reads `topic`: not Kafka's internal topics, the heartbeats, the control
    /// records, or the agents' timers and state (bookkeeping, not events of a workflow); the
    /// agents' effect journals (`<agent>.journal`) as `journals` selects.
    public static func reads(topic: String, journals: ReplayJournalSelection = .none) -> Bool {
        if topic.hasSuffix(".journal") { return journals.reads(journal: topic) }
        return !topic.hasPrefix("__") && topic != AgentTopics.heartbeats && topic != AgentTopics.control
            && !AgentTopics.isAgentBookkeeping(topic)
    }

    /// Every record of the replayed topics within the bounds, by topic name, then partition,
    /// then offset; and where and when it was read.
    ///
    /// - Parameter journals: which effect-journal records to keep; of one workflow, the others
    ///   are dropped as they are read, so they never take memory.
    /// - Throws: ``KafkaError``: no broker answers, the read does not finish within the reader's
    ///   timeout (`.timedOut`), or a bound names a partition that is not read
    ///   (`.unknownTopicOrPartition`).
    public func read(
        since: ReplayBound? = nil, until: ReplayBound? = nil, journals: ReplayJournalSelection = .none,
        progress: TopicSnapshotReader.Progress? = nil
    ) async throws(KafkaError) -> (records: [KafkaRecord], metadata: ReplayLogMetadata) {
        let readAt = EventTime.now().millisecondsSinceEpoch
        var keep: (@Sendable (KafkaRecord) -> Bool)?
        if let correlationID = journals.correlationID {
            keep = { record in
                !record.topic.hasSuffix(".journal")
                    || record.headers.string(named: EffectHeader.correlationID) == correlationID
            }
        }
        let snapshot = try await snapshotReader.read(
            topicsWhere: { Self.reads(topic: $0, journals: journals) },
            bounds: ReplayBound.snapshotBounds(since: since, until: until), progress: progress, keeping: keep)
        return log(of: snapshot, readAt: readAt, since: since, until: until)
    }

    /// The records of `topics` alone, like ``read(since:until:progress:)``: for a command that
    /// needs one kind of record (`agentbus costs` reads `agentbus.activity`). A topic that does
    /// not exist reads as empty.
    public func read(
        _ topics: [String], since: ReplayBound? = nil, until: ReplayBound? = nil,
        progress: TopicSnapshotReader.Progress? = nil
    ) async throws(KafkaError) -> (records: [KafkaRecord], metadata: ReplayLogMetadata) {
        let readAt = EventTime.now().millisecondsSinceEpoch
        let snapshot = try await snapshotReader.read(
            topics, bounds: ReplayBound.snapshotBounds(since: since, until: until), progress: progress)
        return log(of: snapshot, readAt: readAt, since: since, until: until)
    }

    /// The records of a snapshot in topic, partition and offset order, and the log's metadata.
    private func log(of snapshot: TopicSnapshot, readAt: Int64, since: ReplayBound?, until: ReplayBound?)
        -> (records: [KafkaRecord], metadata: ReplayLogMetadata)
    {
        var records: [KafkaRecord] = []
        records.reserveCapacity(snapshot.records.values.reduce(0) { $0 + $1.count })
        for topic in snapshot.records.keys.sorted() { records += snapshot.records[topic]! }
        let partitions = snapshot.endOffsets.keys.sorted().map { partition in
            let high = snapshot.endOffsets[partition]!
            return ReplayPartitionRange(
                topic: partition.topic, partition: partition.partition, low: snapshot.oldestOffsets[partition] ?? 0,
                high: high, readFrom: snapshot.startOffsets[partition] ?? high)
        }
        let servers = snapshotReader.consumerConfiguration.bootstrapServers.joined(separator: ",")
        let metadata = ReplayLogMetadata(
            readAt: readAt, source: embeddedCluster ? "\(servers) (embedded cluster)" : servers,
            embeddedCluster: embeddedCluster, since: since?.text, until: until?.text, partitions: partitions)
        return (records, metadata)
    }
}
