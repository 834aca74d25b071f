import AgentBus
import Kafka
import Logging
import Synchronization

/// Reads topics from the oldest record the brokers keep up to their high watermark at the start
/// of the read, then stops: how tools inspect what a topic holds (`agentbus dlt`, `agentbus
/// agents`, replay) without joining, or committing for, the groups that own it. A read can be
/// narrowed to a range of offsets or times per partition (``TopicSnapshotBounds``).
///
/// It looks the partitions and their high watermarks up first, so it knows where the end is:
/// empty partitions are not read at all, a topic that does not exist reads as empty, and when
/// nothing needs reading no consumer is created. The rest is read with `assign()` and a
/// throwaway group ID (a consumer cannot `assign()` without one in librdkafka 2.0.2) with
/// auto-commit off, so nothing is ever committed. Records produced after the read started are
/// left out, so two reads of a busy topic give consistent, bounded answers.
public struct TopicSnapshotReader: Sendable {
    /// How the consumer connects; its group ID is replaced by a throwaway one.
    public var consumerConfiguration: KafkaConsumerConfiguration
    /// The longest reading the records may take before it fails with ``KafkaError/Code/timedOut``
    /// (looking up partitions and watermarks has its own limit of at most 10 s each).
    public var timeout: Duration
    public var logger: Logger

    public init(
        consumerConfiguration: KafkaConsumerConfiguration, timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "agentbus.snapshot")
    ) {
        self.consumerConfiguration = consumerConfiguration
        self.timeout = timeout
        self.logger = logger
    }

    /// Reports how a long read is going: records read so far, and partitions not at their end.
    /// Called about ten times a second from the task that watches the read.
    public typealias Progress = @Sendable (_ recordsRead: Int, _ partitionsLeft: Int) -> Void

    /// Every record of `topics`, from the beginning to the end each partition had when the read
    /// started, or within `bounds`.
    public func read(_ topics: [String], bounds: TopicSnapshotBounds = .everything, progress: Progress? = nil)
        async throws(KafkaError) -> TopicSnapshot
    {
        let wanted = Set(topics)
        return try await read(bounds: bounds, progress: progress) { known in
            let names = Set(known.filter { $0.partitionCount > 0 }.map(\.name))
            return (wanted.filter { names.contains($0) }, wanted.subtracting(names))
        }
    }

    /// Every record of every topic of the cluster whose name `include` accepts, like
    /// ``read(_:bounds:progress:)``. One metadata request finds the topics and their partitions.
    ///
    /// - Parameter keep: when given, only the records it accepts are kept (the others are read,
    ///   to find each partition's end, and dropped at once): a read of large topics of which a
    ///   few records matter.
    public func read(
        topicsWhere include: (String) -> Bool, bounds: TopicSnapshotBounds = .everything, progress: Progress? = nil,
        keeping keep: (@Sendable (KafkaRecord) -> Bool)? = nil
    ) async throws(KafkaError) -> TopicSnapshot {
        try await read(bounds: bounds, progress: progress, keep: keep) { known in
            (Set(known.filter { $0.partitionCount > 0 }.map(\.name).filter(include)), [])
        }
    }

    /// Resolves the bounds of the selected topics' partitions to offsets, reads them, and applies
    /// what only the records can tell (time bounds the brokers could not look up).
    private func read(
        bounds: TopicSnapshotBounds, progress: Progress?, keep: (@Sendable (KafkaRecord) -> Bool)? = nil,
        select: ([KafkaTopicMetadata]) -> (existing: Set<String>, missing: Set<String>)
    ) async throws(KafkaError) -> TopicSnapshot {
        let configuration = consumerConfiguration
        let admin = try KafkaAdmin(
            configuration: KafkaClientConfiguration(
                bootstrapServers: configuration.bootstrapServers, clientID: configuration.clientID,
                security: configuration.security, properties: configuration.properties),
            logger: logger)
        defer { admin.close() }

        // The metadata of every topic, not of the wanted ones: asking for a topic by name can
        // auto-create it, and a read must not change the cluster.
        let known = try await admin.topics(timeout: min(timeout, .seconds(10)))
        let (existing, missing) = select(known)
        var partitions: [KafkaTopicPartition] = []
        for topic in known where existing.contains(topic.name) {
            partitions += (0..<topic.partitionCount).map { KafkaTopicPartition(topic: topic.name, partition: Int32($0)) }
        }
        let unknown = bounds.namedPartitions.subtracting(partitions)
        if !unknown.isEmpty {
            let names = unknown.sorted().prefix(5).map(\.description).joined(separator: ", ")
            throw KafkaError(
                code: .unknownTopicOrPartition, message: "no such partition among those read: \(names)")
        }
        let watermarks = partitions.isEmpty ? [:] : try await admin.watermarks(of: partitions, timeout: min(timeout, .seconds(10)))
        let plan = try await Plan.make(bounds: bounds, watermarks: watermarks, admin: admin, timeout: min(timeout, .seconds(10)))

        var byTopic: [String: [KafkaRecord]] = [:]
        for topic in existing { byTopic[topic] = [] }
        let toRead = plan.ranges.filter { !$0.value.isEmpty }
        if !toRead.isEmpty {
            for record in try await readPartitions(toRead, progress: progress, keep: keep) { byTopic[record.topic, default: []].append(record) }
            for topic in byTopic.keys {
                byTopic[topic]!.sort { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
            }
        }
        var starts = plan.ranges.mapValues(\.lowerBound)
        var ends = plan.ranges.mapValues(\.upperBound)
        plan.applyTimeFilters(to: &byTopic, starts: &starts, ends: &ends)
        return TopicSnapshot(
            records: byTopic, missingTopics: missing, endOffsets: ends, startOffsets: starts,
            oldestOffsets: watermarks.mapValues(\.low))
    }

    /// What ended a read that did not end by seeing the last record of every partition.
    private enum WatchOutcome: Sendable {
        case reachedEnd, timedOut, cancelled
    }

    private enum ReadOutcome: Sendable {
        case records([KafkaRecord])
        case watch(WatchOutcome)
    }

    /// Reads each partition from the start of its range up to the record before its end.
    private func readPartitions(
        _ ranges: [KafkaTopicPartition: Range<Int64>], progress report: Progress?, keep: (@Sendable (KafkaRecord) -> Bool)?
    ) async throws(KafkaError) -> [KafkaRecord]
    {
        let ends = ranges.mapValues(\.upperBound)
        var configuration = consumerConfiguration
        configuration.groupID = "agentbus-snapshot-\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF)"
        configuration.autoOffsetReset = .earliest
        // Never commit: the group is thrown away, and must not linger on the cluster with offsets.
        configuration.properties["enable.auto.commit"] = "false"
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        // The low watermark (or the bounds' start) exactly, not `.beginning`: a logical offset is
        // looked up when the partition's leader is known, and a consumer this new does not know
        // it yet, so librdkafka retries the lookup after 500 ms. If retention moved the low
        // watermark meanwhile, the out-of-range offset resets to the earliest (`autoOffsetReset`).
        try consumer.assign(ranges.mapValues { KafkaStartOffset.offset($0.lowerBound) })
        let progress = ReadProgress(remaining: Set(ends.keys))
        let timeout = timeout

        let result: Result<[KafkaRecord], KafkaError> = await withTaskGroup(of: Result<ReadOutcome, KafkaError>.self) {
            group in
            group.addTask {
                var collected: [KafkaRecord] = []
                do {
                    for try await record in consumer.messages {
                        let partition = KafkaTopicPartition(topic: record.topic, partition: record.partition)
                        guard let end = ends[partition] else { continue }
                        // Records appended after the read started are past the snapshot's end.
                        if record.offset < end && keep?(record) != false { collected.append(record) }
                        if progress.saw(record, reachedEnd: record.offset >= end - 1) { break }
                    }
                } catch let error as KafkaError {
                    return .failure(error)
                } catch {
                    return .failure(KafkaError(code: .broker, message: "reading \(ends.count) partition(s): \(error)"))
                }
                return .success(.records(collected))
            }
            group.addTask {
                .success(
                    .watch(await Self.watch(consumer: consumer, ends: ends, progress: progress, timeout: timeout, report: report)))
            }

            var records: [KafkaRecord] = []
            var failure: KafkaError?
            while let next = await group.next() {
                switch next {
                case .success(.records(let read)):
                    records = read
                    group.cancelAll()
                case .success(.watch(.timedOut)):
                    let left = progress.remaining.sorted().prefix(5).map(\.description).joined(separator: ", ")
                    failure = KafkaError(
                        code: .timedOut,
                        message: "could not read \(progress.remaining.count) of \(ends.count) partition(s) to their end within \(timeout) (\(left))",
                        isRetriable: true)
                    group.cancelAll()
                case .success(.watch(.reachedEnd)):
                    // The reader drains what it was handed, then sees the end of its sequence.
                    group.cancelAll()
                case .success(.watch(.cancelled)):
                    break
                case .failure(let error):
                    failure = failure ?? error
                    group.cancelAll()
                }
            }
            return failure.map { .failure($0) } ?? .success(records)
        }
        await consumer.close(timeout: .seconds(2))
        return try result.get()
    }

    /// Ends the read at the deadline, or when the consumer's position shows every remaining
    /// partition at its end although its last offset never arrived.
    ///
    /// That happens when the last offset holds a transaction marker, which is never delivered
    /// (Spring's transactional dead-letter publisher writes them). The position is also past
    /// records the polling thread holds but the reader has not taken yet, so the end counts only
    /// after the reader has seen nothing new for three checks in a row.
    private static func watch(
        consumer: KafkaConsumer, ends: [KafkaTopicPartition: Int64], progress: ReadProgress, timeout: Duration,
        report: TopicSnapshotReader.Progress?
    ) async -> WatchOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var lastSeen = -1
        var quietChecks = 0
        while true {
            do { try await Task.sleep(for: .milliseconds(100)) } catch { return .cancelled }
            if clock.now >= deadline { return .timedOut }
            let remaining = Array(progress.remaining)
            let seen = progress.seen
            report?(seen, remaining.count)
            let positions = consumer.positions(of: remaining)
            let atEnd = remaining.allSatisfy { partition in (positions[partition] ?? -1) >= ends[partition]! }
            quietChecks = atEnd && seen == lastSeen ? quietChecks + 1 : 0
            lastSeen = seen
            if quietChecks >= 3 { return .reachedEnd }
        }
    }
}

extension TopicSnapshotReader {
    /// Which partitions a snapshot read still has to finish, shared by its reader and watchdog.
    fileprivate final class ReadProgress: Sendable {
        private struct State {
            var remaining: Set<KafkaTopicPartition>
            var seen = 0
        }

        private let state: Mutex<State>

        init(remaining: Set<KafkaTopicPartition>) { state = Mutex(State(remaining: remaining)) }

        var remaining: Set<KafkaTopicPartition> { state.withLock { $0.remaining } }
        var seen: Int { state.withLock { $0.seen } }

        /// Counts a record; returns true once every partition has reached its end.
        func saw(_ record: KafkaRecord, reachedEnd: Bool) -> Bool {
            state.withLock { state in
                state.seen += 1
                if reachedEnd { state.remaining.remove(KafkaTopicPartition(topic: record.topic, partition: record.partition)) }
                return state.remaining.isEmpty
            }
        }
    }
}
