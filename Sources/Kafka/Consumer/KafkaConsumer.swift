import CRdKafka
import Logging

/// A member of a consumer group: subscribe, read ``messages``, store each record's offset when
/// its work is done.
///
/// ```swift
/// let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: ["localhost:9092"], groupID: "billing"))
/// try consumer.subscribe(topics: ["orders"])
/// for try await record in consumer.messages {
///     try await handle(record)
///     try consumer.storeOffset(for: record)   // committed in the background
/// }
/// await consumer.close()
/// ```
///
/// Delivery is at-least-once: a record whose offset was not stored is delivered again after a
/// restart or rebalance. Fetching runs on a dedicated thread that librdkafka wakes when data
/// arrives; the reading task never blocks a thread of Swift's pool.
public final class KafkaConsumer: Sendable {
    let core: ConsumerCore

    /// Creates the client; fails on a configuration error (unknown property, invalid value,
    /// empty group). Brokers are contacted in the background.
    public init(configuration: KafkaConsumerConfiguration, logger: Logger = Logger(label: "agentbus.kafka.consumer"))
        throws(KafkaError)
    {
        core = try ConsumerCore(configuration: configuration, logger: logger)
    }

    deinit {
        core.requestClose(timeout: .seconds(10))
    }

    /// Joins the group for these topics (replacing any earlier subscription).
    public func subscribe(topics: [String]) throws(KafkaError) {
        guard !topics.isEmpty else { throw .configuration("subscribe needs at least one topic") }
        guard core.gate.enter() else { throw KafkaError.closed("the consumer") }
        defer { core.gate.leave() }
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        let code = rd_kafka_subscribe(core.handle, list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code, context: "cannot subscribe to \(topics.joined(separator: ", "))")
        }
    }

    /// Reads exactly these partitions, from these offsets, without joining the group: no
    /// rebalances, and nothing is committed unless offsets are stored. For tools that watch or
    /// replay topics (`tail`, `replay`) without disturbing the groups that own them.
    /// Replaces any earlier assignment; do not combine with ``subscribe(topics:)``.
    public func assign(_ partitions: [KafkaTopicPartition: KafkaStartOffset]) throws(KafkaError) {
        guard core.gate.enter() else { throw KafkaError.closed("the consumer") }
        defer { core.gate.leave() }
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (partition, start) in partitions.sorted(by: { $0.key < $1.key }) {
            rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition).pointee.offset =
                start.librdkafkaValue
        }
        let code = rd_kafka_assign(core.handle, list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code, context: "cannot assign \(partitions.count) partition(s)")
        }
        let assigned = Set(partitions.keys)
        core.assignment.withLock { $0 = assigned }
        core.pauseIfReaderBehind(assigned.sorted())
        core.emit(.assigned(assigned.sorted()))
    }

    /// The records, in order per partition. Iterate it from one task. The sequence ends after
    /// ``close(timeout:)``, and throws if the client hits a fatal error. Cancelling the reading
    /// task ends the sequence and closes the consumer.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(core: core) }

    /// Rebalances, commits and fetch errors, as they happen. Iterate it from one task; if nobody
    /// does, only the newest 1,024 are kept.
    public var events: AsyncStream<KafkaConsumerEvent> { core.events }

    /// Marks `record` as done: the group will resume after it. Committed in the background
    /// (`autoCommitInterval`) and on close.
    ///
    /// - Throws: ``KafkaError/Code/notAssigned`` when the partition was revoked meanwhile (another
    ///   member will process the record again), ``KafkaError/Code/closed`` after close.
    public func storeOffset(for record: KafkaRecord) throws(KafkaError) {
        try core.storeOffset(
            topicSlot: record.topicSlot, partition: record.partition, offset: record.offset, topic: record.topic)
    }

    /// Stops fetching these partitions until ``resume(_:)``, keeping their assignment: for
    /// backpressure, or while one partition waits out a retry. Records already fetched are still
    /// delivered. A rebalance that assigns a partition again starts it unpaused. The consumer's
    /// own flow control (which pauses every partition while the reader is behind) never resumes
    /// a partition paused here.
    public func pause(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        try changePause(partitions, pause: true)
    }

    /// Fetches these partitions again, from the record after the last one delivered.
    public func resume(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        try changePause(partitions, pause: false)
    }

    private func changePause(_ partitions: [KafkaTopicPartition], pause: Bool) throws(KafkaError) {
        guard !partitions.isEmpty else { return }
        guard core.gate.enter() else { throw KafkaError.closed("the consumer") }
        defer { core.gate.leave() }
        try core.changeUserPause(partitions, pause: pause)
    }

    /// Records between this consumer's position and the end of each assigned partition, from
    /// the watermarks of the latest fetch responses (no broker round trip). Partitions with no
    /// position or watermark yet count as 0.
    public func lag() -> [KafkaTopicPartition: Int64] {
        let partitions = assignment
        guard !partitions.isEmpty, core.gate.enter() else { return [:] }
        defer { core.gate.leave() }
        guard let positions = currentPositions(of: partitions) else { return [:] }
        var result: [KafkaTopicPartition: Int64] = [:]
        for (partition, position) in zip(partitions, positions) {
            var low: Int64 = -1
            var high: Int64 = -1
            let code = rd_kafka_get_watermark_offsets(core.handle, partition.topic, partition.partition, &low, &high)
            result[partition] = code == RD_KAFKA_RESP_ERR_NO_ERROR && position >= 0 && high >= position ? high - position : 0
        }
        return result
    }

    /// The high watermark of each assigned partition as of the latest fetch response (the offset
    /// the next record will get), without a broker round trip; partitions not fetched from yet
    /// are missing.
    public func cachedHighWatermarks() -> [KafkaTopicPartition: Int64] {
        let partitions = assignment
        guard !partitions.isEmpty, core.gate.enter() else { return [:] }
        defer { core.gate.leave() }
        var result: [KafkaTopicPartition: Int64] = [:]
        for partition in partitions {
            var low: Int64 = -1
            var high: Int64 = -1
            let code = rd_kafka_get_watermark_offsets(core.handle, partition.topic, partition.partition, &low, &high)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 { result[partition] = high }
        }
        return result
    }

    /// False when `record` was fetched before its partition was revoked: another member may own
    /// it now and will read it again from the group's committed offset, so work on it is wasted
    /// and its offset must not be stored. Records delivered after a rebalance can still be
    /// stale ones that were buffered before it; the messages sequence skips those it can, and
    /// code that holds records across suspension points (queues, workers) checks again.
    @inline(__always)
    public func isCurrent(_ record: KafkaRecord) -> Bool {
        record.topicSlot < 0 || record.generation == core.generation.load(ordering: .relaxed)
    }

    /// Debugging: the pauses the consumer keeps, for the user and for flow control.
    package var pauseDescription: String {
        core.pauses.withLock { "user \($0.byUser.sorted()) flow \($0.byFlow.sorted()) flowPaused \($0.isFlowPaused)" }
    }

    /// When the polling thread last went round its loop, in `CLOCK_MONOTONIC` nanoseconds. It
    /// does at least four times a second, with or without records, unless something wedges it
    /// (a rebalance callback that never returns, a librdkafka call that hangs): a liveness probe
    /// compares it with the clock.
    public var lastPollMonotonicNanoseconds: UInt64 { core.lastPollNanoseconds.load(ordering: .relaxed) }

    /// Asks a broker for the metadata of the consumer's topics and waits for the answer: a real
    /// round trip, so it fails when no broker can be reached. Blocks the calling thread for up to
    /// `timeout`: call it from a thread of your own, never from Swift's cooperative pool.
    ///
    /// - Throws: ``KafkaError`` (`__TRANSPORT`, `__TIMED_OUT`, ...) naming why no answer came;
    ///   ``KafkaError/Code/closed`` after close.
    public func checkBrokerReachableBlocking(timeout: Duration) throws(KafkaError) {
        guard core.gate.enter() else { throw KafkaError.closed("the consumer") }
        defer { core.gate.leave() }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(core.handle, 0, nil, &metadata, Int32(clamping: timeout.wholeMilliseconds))
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code, context: "no broker answered a metadata request within \(timeout)")
        }
    }

    /// The partitions this consumer owns right now.
    public var assignment: [KafkaTopicPartition] { core.assignment.withLock { $0.sorted() } }

    /// Leaves the group, committing stored offsets, and frees the client.
    ///
    /// Waits at most `timeout` for librdkafka to close; past it, the client is destroyed without
    /// closing (librdkafka 2.0.2 can hang here), and the group notices after `sessionTimeout`.
    public func close(timeout: Duration = .seconds(10)) async {
        await withCheckedContinuation { core.requestClose(timeout: timeout, waiter: $0) }
    }
}

/// The records of a ``KafkaConsumer``, as an `AsyncSequence`.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaRecord
    let core: ConsumerCore

    public func makeAsyncIterator() -> Iterator { Iterator(core: core) }

    /// Returns records from the batch in hand without locking or suspending; takes the next
    /// batch from the polling thread when it runs out.
    public struct Iterator: AsyncIteratorProtocol {
        let core: ConsumerCore
        private var batch: [KafkaRecord] = []
        private var index = 0

        init(core: ConsumerCore) { self.core = core }

        public mutating func next() async throws -> KafkaRecord? {
            while true {
                while index < batch.count {
                    let record = batch[index]
                    index += 1
                    // Fetched before a revocation: not ours to process any more (see isCurrent).
                    if record.generation == core.generation.load(ordering: .relaxed) { return record }
                }
                guard let next = try await core.channel.next() else {
                    batch = []
                    if Task.isCancelled { core.requestClose(timeout: .seconds(10)) }
                    return nil
                }
                batch = next
                index = 0
            }
        }
    }
}
