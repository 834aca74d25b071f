import CRdKafka
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The consumer's handle and its polling thread.
///
/// The thread waits on a pipe that librdkafka writes to when the consumer queue becomes
/// non-empty (and the reader writes to when it makes room), drains the queue with
/// `rd_kafka_consumer_poll(rk, 0)` (which also runs the rebalance and commit callbacks), copies
/// up to `maxBatchSize` messages into one ``KafkaByteStorage``, destroys them, and hands the batch
/// to the ``ConsumerChannel``.
///
/// When the reader falls behind, the thread does not stop polling (that would leave rebalances
/// unserved and get the consumer put out of its group at `max.poll.interval.ms`): it pauses the
/// assigned partitions at librdkafka and goes on polling, holding besides the channel's batches
/// only what the poll returned before the pause applied (about one batch), and resumes them once
/// the reader has taken half of the channel.
final class ConsumerCore: RDKafkaClientContext, @unchecked Sendable {
    /// Topic handles held for `rd_kafka_offset_store`, indexed by ``KafkaRecord/topicSlot``.
    struct TopicTable {
        var handles: [RDKafkaPointer] = []
        /// Keyed by the address of librdkafka's own topic handle, as messages carry it.
        var slotByAddress: [Int: (slot: Int32, name: String)] = [:]
    }

    struct CloseState {
        var requested = false
        var deadline: ContinuousClock.Instant = .now
        var waiters: [CheckedContinuation<Void, Never>] = []
        var done = false
    }

    /// The longest the polling thread waits between polls when nothing wakes it.
    static let pollIntervalMilliseconds: Int32 = 250

    private(set) var handle: OpaquePointer!
    let wakeup = RDKafkaWakeup()
    let channel: ConsumerChannel
    let maxBatchSize: Int
    let topics = Mutex(TopicTable())
    let assignment = Mutex<Set<KafkaTopicPartition>>([])
    /// Bumped by every revocation, in the rebalance callback, before anything fetched after it
    /// is handed over. The assignors AgentBus uses are eager (a rebalance revokes every
    /// partition), so a record stamped with an older generation was fetched before its
    /// partition was taken away, whoever owns it now.
    let generation = Atomic<UInt64>(0)
    /// When the polling thread last went round its loop (CLOCK_MONOTONIC nanoseconds): it does
    /// at least every ``pollIntervalMilliseconds`` unless something wedges it. One clock read
    /// and one store per wake-up, never per record.
    let lastPollNanoseconds = Atomic<UInt64>(ConsumerCore.monotonicNanoseconds())
    let closeState = Mutex(CloseState())
    /// Partitions paused for the user and for flow control; librdkafka is called under this lock.
    let pauses = Mutex(ConsumerPauses())
    /// Set when the user resumed partitions that the polling thread has not made fetch yet.
    let userResumesAwaitFetch = Atomic<Bool>(false)
    /// Yields true when flow control pauses the consumer's partitions and false when it resumes
    /// them: lets tests see the moments they need to act on. Only the newest few are kept.
    let flowControlChanges: AsyncStream<Bool>
    let flowControlSink: AsyncStream<Bool>.Continuation
    let gate = RDKafkaHandleGate()
    let events: AsyncStream<KafkaConsumerEvent>
    private let onRevoke: (@Sendable ([KafkaTopicPartition]) -> Void)?
    private let eventSink: AsyncStream<KafkaConsumerEvent>.Continuation

    init(configuration: KafkaConsumerConfiguration, logger: Logger) throws(KafkaError) {
        channel = ConsumerChannel(capacity: configuration.maxBufferedBatches, wakeup: wakeup)
        maxBatchSize = max(1, configuration.maxBatchSize)
        onRevoke = configuration.onRevoke
        (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1024))
        (flowControlChanges, flowControlSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(16))
        super.init(logger: logger)
        if configuration.groupID.isEmpty {
            throw .configuration("group.id is empty: a consumer needs a group")
        }
        // Rebalances are handled as eager ones (revoke everything, then assign), which is also
        // what makes a record's assignment generation meaningful; cooperative assignors have
        // bugs in librdkafka 2.0.2 anyway (fixed in 2.2).
        let strategy = configuration.properties["partition.assignment.strategy"] ?? configuration.assignmentStrategy
        if strategy.contains("cooperative") {
            throw .configuration(
                "partition.assignment.strategy \(strategy) is not supported: use range, roundrobin (the default) or both")
        }
        try configuration.validate()
        handle = try RDKafkaHandle.make(.consumer, properties: configuration.librdkafkaProperties, context: self) {
            rd_kafka_conf_set_rebalance_cb($0, consumerRebalanceCallback)
            rd_kafka_conf_set_offset_commit_cb($0, consumerCommitCallback)
        }
        // Everything (rebalances, errors, logs queued by librdkafka) arrives on the consumer queue.
        rd_kafka_poll_set_consumer(handle)
        RDKafkaPollThread.start(name: "agentbus-consumer") { [self] in run() }
    }

    // MARK: Calls from any thread

    func emit(_ event: KafkaConsumerEvent) { eventSink.yield(event) }

    func storeOffset(topicSlot: Int32, partition: Int32, offset: Int64, topic: String) throws(KafkaError) {
        guard topicSlot >= 0 else {
            throw .configuration("cannot store the offset of a record this consumer did not receive")
        }
        guard gate.enter() else { throw KafkaError.closed("the consumer") }
        defer { gate.leave() }
        let topicHandle = topics.withLock { $0.handles[Int(topicSlot)] }.pointer
        // Stores offset + 1: the next record to read.
        let code = rd_kafka_offset_store(topicHandle, partition, offset)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code, context: "cannot store offset \(offset) of \(topic)/\(partition)",
                detail: code == RD_KAFKA_RESP_ERR__STATE ? "the partition is no longer assigned to this consumer" : nil)
        }
    }

    /// Asks the polling thread to close; `wait` resumes when the handle is destroyed.
    func requestClose(timeout: Duration, waiter: CheckedContinuation<Void, Never>? = nil) {
        let resumeNow = closeState.withLock { state in
            if state.done { return true }
            if !state.requested {
                state.requested = true
                state.deadline = .now + timeout
            }
            if let waiter { state.waiters.append(waiter) }
            return false
        }
        if resumeNow { waiter?.resume() } else { wakeup.signal() }
    }

    override func fatalErrorRaised() {
        requestClose(timeout: .seconds(5))
    }

    // MARK: The polling thread

    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    private func run() {
        let consumerQueue = rd_kafka_queue_get_consumer(handle)!
        wakeup.attach(to: consumerQueue)
        var pending: [UnsafeMutablePointer<rd_kafka_message_t>] = []
        pending.reserveCapacity(maxBatchSize)
        var topicCache = (handle: OpaquePointer?.none, slot: Int32(0), name: "")
        var pendingGeneration = generation.load(ordering: .relaxed)
        // Mirrors `pauses.isFlowPaused`, which only this thread changes, without a lock per poll.
        var readerBehind = false

        polling: while true {
            lastPollNanoseconds.store(Self.monotonicNanoseconds(), ordering: .relaxed)
            // Empty the pipe before draining, so whatever lands after draining wakes us again.
            wakeup.drain()
            fetchUserResumed()
            while true {
                if closeState.withLock({ $0.requested }) { break polling }
                if pending.count >= maxBatchSize {
                    if channel.hasRoom() {
                        channel.send(makeBatch(&pending, generation: pendingGeneration, topicCache: &topicCache))
                    } else if !readerBehind {
                        // The reader is behind and a full batch waits: stop fetching, keep polling.
                        pauseForFlow()
                        readerBehind = true
                    }
                }
                if readerBehind, pending.count < maxBatchSize, channel.hasRoomToResume() {
                    resumeAfterFlow()
                    readerBehind = false
                }
                let polled = rd_kafka_consumer_poll(handle, 0)
                // The poll may have run a revocation: what was fetched before it is stale.
                if !pending.isEmpty, generation.load(ordering: .relaxed) != pendingGeneration {
                    for stale in pending { rd_kafka_message_destroy(stale) }
                    pending.removeAll(keepingCapacity: true)
                }
                guard let message = polled else { break }
                if pending.isEmpty { pendingGeneration = generation.load(ordering: .relaxed) }
                if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    report(messageError: message)
                    rd_kafka_message_destroy(message)
                    continue
                }
                // Kept even past a full batch: once the poll returned a message, librdkafka's
                // position is past it, so dropping it would lose it. After the flow-control
                // pause the poll returns no messages of the paused partitions.
                pending.append(message)
            }
            if !pending.isEmpty, channel.hasRoom() {
                channel.send(makeBatch(&pending, generation: pendingGeneration, topicCache: &topicCache))
            }
            // Wake up now and then even when nothing arrives, also while the reader is behind: a
            // consumer that does not call rd_kafka_consumer_poll for max.poll.interval.ms is put
            // out of its group.
            wakeup.wait(timeoutMilliseconds: Self.pollIntervalMilliseconds)
        }

        for message in pending { rd_kafka_message_destroy(message) }
        channel.finish(failure: fatalError.withLock { $0 })
        close(consumerQueue: consumerQueue)
    }

    /// Copies the messages into one storage, destroys them, and returns their records.
    private func makeBatch(
        _ messages: inout [UnsafeMutablePointer<rd_kafka_message_t>], generation: UInt64,
        topicCache: inout (handle: OpaquePointer?, slot: Int32, name: String)
    ) -> [KafkaRecord] {
        var layout = KafkaBatchLayout()
        for message in messages {
            layout.reserve(bytes: message.pointee.key_len + message.pointee.len)
            forEachHeader(of: message) { name, value in
                layout.reserveHeader(nameBytes: name.count, valueBytes: value?.count ?? 0)
            }
        }
        var writer = KafkaBatchWriter(storage: KafkaByteStorage(capacity: layout.byteCount), slotCount: layout.slotCount)
        var records: [KafkaRecord] = []
        records.reserveCapacity(messages.count)

        for message in messages {
            let m = message.pointee
            if m.rkt != topicCache.handle {
                let (slot, name) = topicSlot(for: m.rkt)
                topicCache = (m.rkt, slot, name)
            }
            let key = m.key.map { writer.write(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
            let value = writer.write(UnsafeRawBufferPointer(start: m.payload, count: m.payload == nil ? 0 : m.len))
            let headersStart = writer.beginHeaders()
            var headerCount = 0
            forEachHeader(of: message) { name, value in
                writer.appendHeader(name: name, value: value)
                headerCount += 1
            }
            var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let milliseconds = rd_kafka_message_timestamp(message, &timestampType)
            let timestamp: KafkaTimestamp? =
                switch timestampType {
                case RD_KAFKA_TIMESTAMP_CREATE_TIME: KafkaTimestamp(millisecondsSince1970: milliseconds, kind: .createTime)
                case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
                    KafkaTimestamp(millisecondsSince1970: milliseconds, kind: .logAppendTime)
                default: nil
                }
            records.append(
                KafkaRecord(
                    topic: topicCache.name, partition: m.partition, offset: m.offset, timestamp: timestamp, key: key,
                    value: value,
                    headers: KafkaRecordHeaders(storage: writer.storage, slotsOffset: headersStart, count: headerCount),
                    topicSlot: topicCache.slot, generation: generation))
            rd_kafka_message_destroy(message)
        }
        messages.removeAll(keepingCapacity: true)
        return records
    }

    private func forEachHeader(
        of message: UnsafeMutablePointer<rd_kafka_message_t>,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) -> Void
    ) {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return }
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        var index = 0
        while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            let nameBytes = UnsafeRawBufferPointer(start: name, count: name.map { strlen($0) } ?? 0)
            body(nameBytes, value.map { UnsafeRawBufferPointer(start: $0, count: size) })
            index += 1
        }
    }

    /// The slot of a topic handle, holding a reference of our own so it outlives the messages.
    private func topicSlot(for topicHandle: OpaquePointer) -> (Int32, String) {
        let address = Int(bitPattern: UnsafeRawPointer(topicHandle))
        if let known = topics.withLock({ $0.slotByAddress[address] }) { return known }
        let name = String(cString: rd_kafka_topic_name(topicHandle))
        let held = RDKafkaPointer(pointer: rd_kafka_topic_new(handle, name, nil)!)
        return topics.withLock { table in
            let slot = Int32(table.handles.count)
            table.handles.append(held)
            table.slotByAddress[address] = (slot, name)
            return (slot, name)
        }
    }

    private func report(messageError message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let m = message.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) }
        let detail = rd_kafka_message_errstr(message).map { String(cString: $0) }
        let error = KafkaError(m.err, context: topic.map { "consuming \($0)" } ?? "consumer", detail: detail)
        logger.warning("consumer error", metadata: ["error": "\(error.message)"])
        emit(.error(error))
        if m.err == RD_KAFKA_RESP_ERR__FATAL { fatalErrorRaised() }
    }

    // MARK: Callbacks (on the polling thread, inside rd_kafka_consumer_poll or while closing)

    fileprivate func rebalance(_ code: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let changed = partitions.map(Self.topicPartitions) ?? []
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let result = rd_kafka_assign(handle, partitions)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.error("assign failed", metadata: ["error": "\(KafkaError(result, context: "assign").message)"])
            }
            if result == RD_KAFKA_RESP_ERR_NO_ERROR { pauseIfReaderBehind(changed) }
            assignment.withLock { $0.formUnion(changed) }
            logger.debug("partitions assigned", metadata: ["partitions": "\(changed)"])
            emit(.assigned(changed))
        default:
            // Revoked, or a rebalance error: give everything back, as the eager protocol expects.
            if code != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS {
                logger.warning("rebalance error", metadata: ["error": "\(KafkaError(code, context: "rebalance").message)"])
            }
            generation.add(1, ordering: .releasing)
            // Not while closing: the closing side has already settled its work, and offsets can
            // no longer be stored.
            if let onRevoke, !closeState.withLock({ $0.requested }) { onRevoke(changed) }
            // librdkafka 2.0.2 keeps a partition's pause through unassign and a later assign;
            // a partition given back starts unpaused, whoever paused it.
            clearPauses(of: changed)
            rd_kafka_assign(handle, nil)
            assignment.withLock { $0.subtract(changed) }
            logger.debug("partitions revoked", metadata: ["partitions": "\(changed)"])
            emit(.revoked(changed))
        }
    }

    fileprivate func committed(_ code: rd_kafka_resp_err_t, _ offsets: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        if code == RD_KAFKA_RESP_ERR__NO_OFFSET { return }  // nothing was stored since the last commit
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            emit(.commitFailed(KafkaError(code, context: "offset commit failed")))
            return
        }
        guard let offsets else { return }
        var result: [KafkaTopicPartitionOffset] = []
        for element in UnsafeBufferPointer(start: offsets.pointee.elems, count: Int(offsets.pointee.cnt)) {
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR, element.offset >= 0 else { continue }
            result.append(
                KafkaTopicPartitionOffset(
                    topicPartition: KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition),
                    offset: element.offset))
        }
        if !result.isEmpty { emit(.committed(result)) }
    }

    static func topicPartitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [KafkaTopicPartition] {
        UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)).map {
            KafkaTopicPartition(topic: String(cString: $0.topic), partition: $0.partition)
        }
    }

    // MARK: Closing (on the polling thread)

    /// Leaves the group (committing stored offsets) within the deadline; if librdkafka does not
    /// finish in time (2.0.2 can hang when partitions were lost), destroys without closing.
    private func close(consumerQueue: OpaquePointer) {
        gate.closeAndWaitForCalls()
        let deadline = closeState.withLock { $0.deadline }

        // Termination order: topic handles and queues first, then close, then destroy.
        for topicHandle in topics.withLock({ $0.handles }) { rd_kafka_topic_destroy(topicHandle.pointer) }
        wakeup.detach(from: consumerQueue)
        rd_kafka_queue_destroy(consumerQueue)

        let closeQueue = rd_kafka_queue_new(handle)!
        wakeup.attach(to: closeQueue)
        var closedCleanly = false
        if let error = rd_kafka_consumer_close_queue(handle, closeQueue) {
            logger.warning("consumer close failed", metadata: ["error": "\(KafkaError(consuming: error, context: "close").message)"])
        } else {
            while true {
                wakeup.drain()
                while let event = rd_kafka_queue_poll(closeQueue, 0) {
                    switch rd_kafka_event_type(event) {
                    case RD_KAFKA_EVENT_REBALANCE:
                        rebalance(rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event))
                    case RD_KAFKA_EVENT_OFFSET_COMMIT:
                        committed(rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event))
                    default:
                        break
                    }
                    rd_kafka_event_destroy(event)
                }
                if rd_kafka_consumer_closed(handle) != 0 {
                    closedCleanly = true
                    break
                }
                let now = ContinuousClock.now
                if now >= deadline { break }
                wakeup.wait(timeoutMilliseconds: Int32(clamping: (deadline - now).wholeMilliseconds + 1))
            }
        }
        wakeup.detach(from: closeQueue)
        rd_kafka_queue_destroy(closeQueue)

        if closedCleanly {
            rd_kafka_destroy(handle)
            finishClose()
        } else {
            // The deadline is the caller's: return now, and let the destroy (which can itself take
            // seconds while librdkafka's threads notice the brokers are gone) finish here.
            logger.warning("consumer close did not finish in time; destroying without closing")
            finishClose()
            rd_kafka_destroy_flags(handle, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        }
    }

    private func finishClose() {
        assignment.withLock { $0.removeAll() }
        eventSink.finish()
        let waiters = closeState.withLock { state in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

private let consumerRebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { _, code, partitions, opaque in
        guard let opaque else { return }
        Unmanaged<ConsumerCore>.fromOpaque(opaque).takeUnretainedValue().rebalance(code, partitions)
    }

private let consumerCommitCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { _, code, offsets, opaque in
        guard let opaque else { return }
        Unmanaged<ConsumerCore>.fromOpaque(opaque).takeUnretainedValue().committed(code, offsets)
    }
