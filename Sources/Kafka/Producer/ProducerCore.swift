import CRdKafka
import Logging
import Synchronization

/// What the awaiting `send` gets back from its delivery report.
enum DeliveryOutcome: Sendable {
    case delivered(KafkaDeliveryReport)
    case failed(KafkaError)
    case notEnqueued(rd_kafka_resp_err_t)
}

/// Carried through librdkafka as a message's opaque, so the delivery report finds its awaiter.
final class DeliveryPromise: KafkaDeliveryCallback, @unchecked Sendable {
    let continuation: CheckedContinuation<DeliveryOutcome, Never>
    init(_ continuation: CheckedContinuation<DeliveryOutcome, Never>) { self.continuation = continuation }

    override func complete(_ message: rd_kafka_message_t, error: KafkaError?) {
        guard let error else {
            continuation.resume(
                returning: .delivered(
                    KafkaDeliveryReport(
                        topic: String(cString: rd_kafka_topic_name(message.rkt)), partition: message.partition,
                        offset: message.offset)))
            return
        }
        continuation.resume(returning: .failed(error))
    }
}

/// The producer's handle, its polling thread, and everything the thread hands back to awaiters.
///
/// The thread waits on a pipe that librdkafka writes to when delivery reports arrive, serves them
/// with `rd_kafka_poll(rk, 0)`, then resumes whoever waits for queue space or a flush.
final class ProducerCore: RDKafkaClientContext, @unchecked Sendable {
    struct FlushWaiter {
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Int, Never>  // messages still outstanding; 0 = flushed
    }

    struct State {
        var spaceWaiters: [CheckedContinuation<Void, Never>] = []
        var flushWaiters: [FlushWaiter] = []
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        /// Failed deliveries of fire-and-forget messages since the last flush.
        var failedSinceFlush = 0
        var firstFailureSinceFlush: KafkaError?
        var closing = false
        var destroyed = false
    }

    /// Set once, before the polling thread starts; destroyed by that thread when it exits.
    private(set) var handle: OpaquePointer!
    let wakeup = RDKafkaWakeup()
    let state = Mutex(State())
    /// Bumped each time the thread has served delivery reports: a producer that found the queue
    /// full waits for the next bump, unless one happened since it tried.
    let servedGeneration = Atomic<UInt64>(0)
    /// Calls inside librdkafka right now; the thread destroys the handle only when none are.
    let gate = RDKafkaHandleGate()
    let deliveredCount = Atomic<Int>(0)
    /// Messages enqueued by `produce`; every 1,024th serves delivery reports on the producing
    /// thread (see ``serveDeliveryReportsOccasionally()``).
    let producedCount = Atomic<Int>(0)
    let failedCount = Atomic<Int>(0)
    /// Topic handles opened by `prepare(topics:)`, destroyed before the client.
    let preparedTopics = Mutex<[String: RDKafkaPointer]>([:])

    init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        super.init(logger: logger)
        handle = try RDKafkaHandle.make(.producer, properties: configuration.librdkafkaProperties, context: self) {
            rd_kafka_conf_set_dr_msg_cb($0, producerDeliveryCallback)
        }
        RDKafkaPollThread.start(name: "agentbus-producer") { [self] in run() }
    }

    // MARK: Enqueueing (any thread)

    /// Hands one message to librdkafka, which copies it. Returns librdkafka's result code.
    func enqueue(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader], opaque: UnsafeMutableRawPointer?
    ) -> rd_kafka_resp_err_t {
        let capacity = 6 + headers.count
        return withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: capacity) { vus in
            topic.withCString { topicName in
                var count = 0
                func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                    var vu = rd_kafka_vu_t()
                    vu.vtype = type
                    fill(&vu)
                    vus[count] = vu
                    count += 1
                }
                append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topicName }
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                // A nil value is a tombstone: a null value, not an empty one.
                append(RD_KAFKA_VTYPE_VALUE) {
                    $0.u.mem.ptr = value.map { UnsafeMutableRawPointer(mutating: $0.baseAddress ?? emptyBytes) }
                    $0.u.mem.size = value?.count ?? 0
                }
                if let key {
                    append(RD_KAFKA_VTYPE_KEY) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress ?? emptyBytes)
                        $0.u.mem.size = key.count
                    }
                }
                if let partition { append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition } }
                if let opaque { append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque } }
                return appendHeaders(headers, from: 0, into: vus, count: count) { total in
                    guard let error = rd_kafka_produceva(handle, vus.baseAddress, total) else {
                        return RD_KAFKA_RESP_ERR_NO_ERROR
                    }
                    let code = rd_kafka_error_code(error)
                    rd_kafka_error_destroy(error)
                    return code
                }
            }
        }
    }

    /// Header names must stay valid C strings until `rd_kafka_produceva` returns, so each header
    /// nests one level deeper; nothing is allocated on the heap.
    private func appendHeaders(
        _ headers: [KafkaHeader], from index: Int, into vus: UnsafeMutableBufferPointer<rd_kafka_vu_t>,
        count: Int, then produce: (Int) -> rd_kafka_resp_err_t
    ) -> rd_kafka_resp_err_t {
        guard index < headers.count else { return produce(count) }
        let header = headers[index]
        return header.name.withCString { name in
            func fill(_ value: UnsafeRawPointer?, _ size: Int) -> rd_kafka_resp_err_t {
                var vu = rd_kafka_vu_t()
                vu.vtype = RD_KAFKA_VTYPE_HEADER
                vu.u.header.name = name
                vu.u.header.val = value
                vu.u.header.size = size
                vus[count] = vu
                return appendHeaders(headers, from: index + 1, into: vus, count: count + 1, then: produce)
            }
            guard let value = header.value else { return fill(nil, 0) }
            return value.withUnsafeBytes { fill($0.baseAddress ?? emptyBytes, $0.count) }
        }
    }

    /// librdkafka allocates each message on the thread that produces it and frees it when its
    /// delivery report is served. Served only on the polling thread, every free crosses threads,
    /// which defeats glibc's per-thread caches (the benchmark measured about half the throughput).
    /// Serving now and then on the producing thread, without blocking, keeps most frees local.
    @inline(__always)
    func serveDeliveryReportsOccasionally() {
        if producedCount.add(1, ordering: .relaxed).newValue & 1023 == 0 {
            rd_kafka_poll(handle, 0)
        }
    }

    // MARK: Waiting (async callers)

    func waitForQueueSpace(since generation: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.closing || servedGeneration.load(ordering: .sequentiallyConsistent) != generation {
                    return true
                }
                state.spaceWaiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Waits until every message handed to librdkafka has a delivery report, or the timeout.
    /// Returns how many were still outstanding (0 when flushed).
    func waitUntilFlushed(timeout: Duration) async -> Int {
        await withCheckedContinuation { continuation in
            state.withLock {
                $0.flushWaiters.append(.init(deadline: .now + timeout, continuation: continuation))
            }
            wakeup.signal()
        }
    }

    /// Stops the polling thread, which then destroys the handle. Messages not yet delivered are
    /// dropped (and logged): flush first.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyDestroyed = state.withLock { state in
                if state.destroyed { return true }
                state.closing = true
                state.closeWaiters.append(continuation)
                return false
            }
            if alreadyDestroyed { continuation.resume() } else { wakeup.signal() }
        }
    }

    /// Asks the thread to stop without waiting for it (from `deinit`).
    func shutdownInBackground() {
        state.withLock { $0.closing = true }
        wakeup.signal()
    }

    // MARK: The polling thread

    private func run() {
        let mainQueue = rd_kafka_queue_get_main(handle)!
        wakeup.attach(to: mainQueue)
        while true {
            // Empty the pipe before serving, so a report that lands after serving wakes us again.
            wakeup.drain()
            rd_kafka_poll(handle, 0)
            servedGeneration.add(1, ordering: .sequentiallyConsistent)
            let outstanding = Int(rd_kafka_outq_len(handle))
            let now = ContinuousClock.now

            var spaceWaiters: [CheckedContinuation<Void, Never>] = []
            var finishedFlushes: [CheckedContinuation<Int, Never>] = []
            let (closing, nextDeadline) = state.withLock { state in
                swap(&spaceWaiters, &state.spaceWaiters)
                var nextDeadline: ContinuousClock.Instant?
                state.flushWaiters.removeAll { waiter in
                    if outstanding == 0 || waiter.deadline <= now || state.closing {
                        finishedFlushes.append(waiter.continuation)
                        return true
                    }
                    nextDeadline = min(nextDeadline ?? waiter.deadline, waiter.deadline)
                    return false
                }
                return (state.closing, nextDeadline)
            }
            for waiter in spaceWaiters { waiter.resume() }
            for waiter in finishedFlushes { waiter.resume(returning: outstanding) }
            if closing { break }

            let timeout = nextDeadline.map { Int32(clamping: ($0 - now).wholeMilliseconds + 1) } ?? -1
            wakeup.wait(timeoutMilliseconds: timeout)
        }
        destroy(mainQueue: mainQueue)
    }

    private func destroy(mainQueue: OpaquePointer) {
        gate.closeAndWaitForCalls()

        wakeup.detach(from: mainQueue)
        rd_kafka_queue_destroy(mainQueue)
        for (_, topic) in preparedTopics.withLock({ $0 }) { rd_kafka_topic_destroy(topic.pointer) }
        let undelivered = rd_kafka_outq_len(handle)
        if undelivered > 0 {
            logger.warning("producer closed with undelivered messages", metadata: ["count": "\(undelivered)"])
            // Every message still holds its callback or awaiting `send`: purge them so each gets
            // its (failed) report now, rather than leaking it and leaving its awaiter hanging.
            rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            rd_kafka_flush(handle, 1000)
        }
        rd_kafka_destroy(handle)

        let (closeWaiters, spaceWaiters) = state.withLock { state in
            state.destroyed = true
            defer { state.closeWaiters = []; state.spaceWaiters = [] }
            return (state.closeWaiters, state.spaceWaiters)
        }
        for waiter in spaceWaiters { waiter.resume() }
        for waiter in closeWaiters { waiter.resume() }
    }

    // MARK: Delivery reports (on the polling thread)

    fileprivate func delivered(_ message: UnsafePointer<rd_kafka_message_t>) {
        let message = message.pointee
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            deliveredCount.add(1, ordering: .relaxed)
            guard let callback = message._private else { return }
            Unmanaged<KafkaDeliveryCallback>.fromOpaque(callback).takeRetainedValue().complete(message, error: nil)
            return
        }

        failedCount.add(1, ordering: .relaxed)
        let topic = String(cString: rd_kafka_topic_name(message.rkt))
        var error = KafkaError(message.err, context: "delivery to \(topic) failed")
        if error.code == .timedOut || error.code == .transport {
            error = KafkaError(
                code: error.code, message: error.message + lastClientErrorSuffix, isRetriable: error.isRetriable,
                librdkafkaName: error.librdkafkaName)
        }
        if let callback = message._private {
            Unmanaged<KafkaDeliveryCallback>.fromOpaque(callback).takeRetainedValue().complete(message, error: error)
        } else {
            state.withLock { state in
                state.failedSinceFlush += 1
                if state.firstFailureSinceFlush == nil { state.firstFailureSinceFlush = error }
            }
            logger.warning("message not delivered", metadata: ["topic": "\(topic)", "error": "\(error.message)"])
        }
    }
}

/// A valid address for zero-length keys, values and header values: a null pointer would make
/// them null rather than empty.
nonisolated(unsafe) private let emptyBytes = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

private let producerDeliveryCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        Unmanaged<ProducerCore>.fromOpaque(opaque).takeUnretainedValue().delivered(message)
    }

#if canImport(Glibc)
import Glibc
#endif
