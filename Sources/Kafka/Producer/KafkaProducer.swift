import CRdKafka
import Logging

/// Sends messages to Kafka.
///
/// Two ways to send:
/// - ``send(topic:key:value:headers:partition:)`` waits for the broker's acknowledgement and
///   returns where the message landed, or a typed error.
/// - ``produce(topic:key:value:headers:partition:)`` returns as soon as librdkafka has the
///   message; it waits only while the local queue is full. Delivery failures are counted and
///   reported by the next ``flush(timeout:)``. This is the high-throughput path.
///
/// Idempotence is on by default, so retries neither duplicate nor reorder messages of a partition.
/// Call ``close(timeout:)`` when done: it flushes, then frees the client. A producer dropped
/// without `close` drops what it has not delivered (and logs how much).
public final class KafkaProducer: Sendable {
    let core: ProducerCore

    /// Creates the client; fails on a configuration error (unknown property, invalid value).
    /// Brokers are contacted in the background: an unreachable cluster surfaces as delivery errors.
    public init(configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "agentbus.kafka.producer"))
        throws(KafkaError)
    {
        core = try ProducerCore(configuration: configuration, logger: logger)
    }

    deinit {
        core.shutdownInBackground()
    }

    /// Sends a message and waits for the broker to acknowledge it.
    ///
    /// - Parameter partition: a fixed partition; by default the partitioner picks one from the key.
    /// - Throws: ``KafkaError`` with code ``KafkaError/Code/timedOut`` when the message is not
    ///   delivered within `deliveryTimeout`, ``KafkaError/Code/closed`` after ``close(timeout:)``.
    ///   Cancelling the calling task does not withdraw a message librdkafka already holds.
    @discardableResult
    public func send<Key: KafkaBuffer, Value: KafkaBuffer>(
        topic: String, key: Key?, value: Value, headers: [KafkaHeader] = [], partition: Int32? = nil
    ) async throws(KafkaError) -> KafkaDeliveryReport {
        // librdkafka asks for the leaders of a topic first named in a produce call only at its
        // next topic scan (up to a second later), unless the topic was opened first.
        try prepare(topics: CollectionOfOne(topic))
        while true {
            let generation = core.servedGeneration.load(ordering: .sequentiallyConsistent)
            let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<DeliveryOutcome, Never>) in
                guard core.gate.enter() else {
                    continuation.resume(returning: .notEnqueued(RD_KAFKA_RESP_ERR__DESTROY))
                    return
                }
                defer { core.gate.leave() }
                let opaque = Unmanaged<KafkaDeliveryCallback>.passRetained(DeliveryPromise(continuation)).toOpaque()
                let code = withOptionalBytes(key) { key in
                    value.withUnsafeKafkaBytes { value in
                        core.enqueue(
                            topic: topic, partition: partition, key: key, value: value, headers: headers,
                            opaque: opaque)
                    }
                }
                if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                    Unmanaged<KafkaDeliveryCallback>.fromOpaque(opaque).release()
                    continuation.resume(returning: .notEnqueued(code))
                }
            }
            switch outcome {
            case .delivered(let report):
                return report
            case .failed(let error):
                throw error
            case .notEnqueued(RD_KAFKA_RESP_ERR__QUEUE_FULL):
                await core.waitForQueueSpace(since: generation)
            case .notEnqueued(let code):
                throw enqueueError(code, topic: topic)
            }
        }
    }

    /// Sends a message without a key and waits for the broker to acknowledge it.
    @discardableResult
    public func send<Value: KafkaBuffer>(
        topic: String, value: Value, headers: [KafkaHeader] = [], partition: Int32? = nil
    ) async throws(KafkaError) -> KafkaDeliveryReport {
        try await send(topic: topic, key: nil as [UInt8]?, value: value, headers: headers, partition: partition)
    }

    /// Hands a message to librdkafka without waiting for its delivery.
    ///
    /// Suspends only while the local queue is full. A delivery that fails later is logged,
    /// counted, and reported by the next ``flush(timeout:)``.
    public func produce<Key: KafkaBuffer, Value: KafkaBuffer>(
        topic: String, key: Key?, value: Value, headers: [KafkaHeader] = [], partition: Int32? = nil
    ) async throws(KafkaError) {
        try await enqueue(topic: topic, key: key, value: value, headers: headers, partition: partition, callback: nil)
    }

    /// Hands a message to librdkafka and tells `callback` how its delivery ended, on the
    /// producer's polling thread.
    ///
    /// Suspends only while the local queue is full. For pipelines that keep many messages in
    /// flight and act on each acknowledgement (the agent runtime stores an input's offset once
    /// all its outputs are acknowledged) without a task or continuation per message. One callback
    /// object may follow many messages; it is retained until each has its report.
    public func produce<Key: KafkaBuffer, Value: KafkaBuffer>(
        topic: String, key: Key?, value: Value, headers: [KafkaHeader] = [], partition: Int32? = nil,
        callback: KafkaDeliveryCallback
    ) async throws(KafkaError) {
        try await enqueue(topic: topic, key: key, value: value, headers: headers, partition: partition, callback: callback)
    }

    /// Hands a tombstone (a record with a null value) for `key` to librdkafka: on a compacted
    /// topic it deletes the key. `callback`, when given, hears how its delivery ended.
    public func produceTombstone<Key: KafkaBuffer>(
        topic: String, key: Key, headers: [KafkaHeader] = [], partition: Int32? = nil,
        callback: KafkaDeliveryCallback? = nil
    ) async throws(KafkaError) {
        try await enqueue(
            topic: topic, key: key, value: nil as [UInt8]?, headers: headers, partition: partition, callback: callback)
    }

    /// The `produce` calls: enqueues, waiting for space while the local queue is full.
    /// `callback`, when given, is retained for the message until its delivery report (released
    /// again at once if the message is not enqueued).
    private func enqueue<Key: KafkaBuffer, Value: KafkaBuffer>(
        topic: String, key: Key?, value: Value?, headers: [KafkaHeader], partition: Int32?,
        callback: KafkaDeliveryCallback?
    ) async throws(KafkaError) {
        while true {
            let generation = core.servedGeneration.load(ordering: .sequentiallyConsistent)
            guard core.gate.enter() else { throw KafkaError.closed("the producer") }
            let opaque = callback.map { Unmanaged.passRetained($0).toOpaque() }
            let code = withOptionalBytes(key) { key in
                withOptionalBytes(value) { value in
                    core.enqueue(
                        topic: topic, partition: partition, key: key, value: value, headers: headers, opaque: opaque)
                }
            }
            if code == RD_KAFKA_RESP_ERR_NO_ERROR {
                core.serveDeliveryReportsOccasionally()
            } else if let opaque {
                Unmanaged<KafkaDeliveryCallback>.fromOpaque(opaque).release()
            }
            core.gate.leave()
            switch code {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                return
            case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                await core.waitForQueueSpace(since: generation)
            default:
                throw enqueueError(code, topic: topic)
            }
        }
    }

    /// Hands a message without a key to librdkafka without waiting for its delivery.
    public func produce<Value: KafkaBuffer>(
        topic: String, value: Value, headers: [KafkaHeader] = [], partition: Int32? = nil
    ) async throws(KafkaError) {
        try await produce(topic: topic, key: nil as [UInt8]?, value: value, headers: headers, partition: partition)
    }

    /// Waits until every message handed over so far has been delivered or has failed.
    ///
    /// - Throws: ``KafkaError/Code/timedOut`` if messages are still in flight after `timeout`; or,
    ///   when some ``produce(topic:key:value:headers:partition:)`` messages failed since the last
    ///   flush, the first of those errors, its message saying how many failed.
    public func flush(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let outstanding = await core.waitUntilFlushed(timeout: timeout)
        let (failed, first) = core.state.withLock { state in
            defer { state.failedSinceFlush = 0; state.firstFailureSinceFlush = nil }
            return (state.failedSinceFlush, state.firstFailureSinceFlush)
        }
        if let first {
            throw KafkaError(
                code: first.code, message: "\(failed) message(s) not delivered; first: \(first.message)",
                isRetriable: first.isRetriable, librdkafkaName: first.librdkafkaName)
        }
        if outstanding > 0 {
            throw KafkaError(
                code: .timedOut,
                message: "flush timed out after \(timeout): \(outstanding) message(s) still in flight"
                    + core.lastClientErrorSuffix,
                isRetriable: true)
        }
    }

    /// Looks up the topics' partitions and leaders now, so the first message to each is not held
    /// back until librdkafka's periodic metadata refresh (about a second on a new topic).
    ///
    /// Returns at once: the lookup goes out when a broker connection is up. ``send(topic:key:value:headers:partition:)``
    /// does this for its topic by itself; call it before the first
    /// ``produce(topic:key:value:headers:partition:)`` to a topic, which does not (to keep that
    /// path free of a lookup per message).
    public func prepare(topics: some Sequence<String>) throws(KafkaError) {
        guard core.gate.enter() else { throw KafkaError.closed("the producer") }
        defer { core.gate.leave() }
        core.preparedTopics.withLock { prepared in
            for topic in topics where prepared[topic] == nil {
                prepared[topic] = rd_kafka_topic_new(core.handle, topic, nil).map(RDKafkaPointer.init)
            }
        }
    }

    /// Flushes (up to `timeout`), then frees the client. Later sends throw ``KafkaError/Code/closed``.
    /// Rethrows the flush's error after closing.
    public func close(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        var flushError: KafkaError?
        if !core.gate.isClosed {
            do { try await flush(timeout: timeout) } catch { flushError = error }
        }
        await core.shutdown()
        if let flushError { throw flushError }
    }

    /// Messages acknowledged by the broker since the producer started.
    public var deliveredCount: Int { core.deliveredCount.load(ordering: .relaxed) }
    /// Messages that failed delivery since the producer started.
    public var failedCount: Int { core.failedCount.load(ordering: .relaxed) }

    private func enqueueError(_ code: rd_kafka_resp_err_t, topic: String) -> KafkaError {
        code == RD_KAFKA_RESP_ERR__DESTROY
            ? KafkaError.closed("the producer") : KafkaError(code, context: "cannot produce to \(topic)")
    }
}

@inline(__always)
func withOptionalBytes<Key: KafkaBuffer, R>(_ key: Key?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let key else { return body(nil) }
    return key.withUnsafeKafkaBytes { body($0) }
}
