import CRdKafka
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The baseline: one agent hop as a careful C program does it, written in Swift over the C API
/// with no JSON and no schema.
///
/// One thread serves both clients. It sleeps in `poll()` on a pipe that librdkafka writes to when
/// the consumer queue or the producer's delivery-report queue becomes non-empty; then it reads
/// every record with `rd_kafka_consumer_poll(rk, 0)`, builds the child (the input's headers with
/// a new `ce_id`, `ce_causationid` = the input's `ce_id`, and `traceparent` with a new span ID in
/// the same trace), sends it with `rd_kafka_produceva` carrying the input's partition and offset
/// as its opaque, and serves delivery reports with `rd_kafka_poll(rk, 0)`. The delivery report
/// stores the input's offset (`rd_kafka_offset_store`, which stores offset + 1) once the child
/// is acknowledged: at-least-once, as the agent runtime does it.
///
/// The output key is the input key, so with the same partition count and partitioner a child
/// lands on the input's partition number, and the reports of one input partition arrive in
/// offset order (one output partition, idempotent producer): storing in report order never
/// moves an offset back.
final class RawRelay: @unchecked Sendable {
    /// What the delivery-report callback needs (it gets only an opaque pointer).
    final class Context {
        var inputTopic: OpaquePointer?
        var stored = 0
        var failed = 0
    }

    private let consumer: OpaquePointer
    private let producer: OpaquePointer
    private let context = Context()
    private let outputTopic: UnsafeMutablePointer<CChar>
    private let wakeup = WakeupPipe()
    private let stopRequested = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    let relayed = Atomic<Int>(0)

    init(
        bootstrapServers: String, inputTopic: String, outputTopic: String, groupID: String,
        fetchWaitMilliseconds: Int? = nil
    ) throws {
        consumer = try makeRawHandle(
            RD_KAFKA_CONSUMER,
            properties: relayConsumerProperties(
                bootstrapServers: bootstrapServers, groupID: groupID, fetchWaitMilliseconds: fetchWaitMilliseconds))
        let context = context
        do {
            producer = try makeRawHandle(
                RD_KAFKA_PRODUCER,
                properties: relayProducerProperties(bootstrapServers: bootstrapServers, clientID: "\(groupID)-raw")
            ) {
                rd_kafka_conf_set_dr_msg_cb($0, relayDeliveryCallback)
                rd_kafka_conf_set_opaque($0, Unmanaged.passUnretained(context).toOpaque())
            }
        } catch {
            rd_kafka_destroy(consumer)
            throw error
        }
        rd_kafka_poll_set_consumer(consumer)
        context.inputTopic = rd_kafka_topic_new(consumer, inputTopic, nil)
        self.outputTopic = strdup(outputTopic)!
        // As the agent runtime's `prepare(topics:)`: no wait for the periodic topic scan.
        if let handle = rd_kafka_topic_new(producer, outputTopic, nil) { rd_kafka_topic_destroy(handle) }

        let subscription = rd_kafka_topic_partition_list_new(1)!
        rd_kafka_topic_partition_list_add(subscription, inputTopic, RD_KAFKA_PARTITION_UA)
        let code = rd_kafka_subscribe(consumer, subscription)
        rd_kafka_topic_partition_list_destroy(subscription)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchError("rd_kafka_subscribe failed: \(errorText(code))")
        }
        startThread(name: "raw-relay") { [self] in run() }
    }

    /// Stops reading, waits for the children in flight (their reports store the last offsets),
    /// leaves the group (committing) and frees both clients.
    func stop() async {
        stopRequested.store(true, ordering: .releasing)
        wakeup.signal()
        while !stopped.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    private func run() {
        let consumerQueue = rd_kafka_queue_get_consumer(consumer)!
        let reportQueue = rd_kafka_queue_get_main(producer)!
        wakeup.attach(consumerQueue)
        wakeup.attach(reportQueue)

        // Names of the headers the child replaces, and scratch space for their new values
        // (produceva copies everything with RD_KAFKA_MSG_F_COPY).
        let idName = strdup("ce_id")!
        let causationName = strdup("ce_causationid")!
        let traceName = strdup("traceparent")!
        let idValue = UnsafeMutablePointer<UInt8>.allocate(capacity: 36)
        let traceValue = UnsafeMutablePointer<UInt8>.allocate(capacity: 55)
        let vus = UnsafeMutablePointer<rd_kafka_vu_t>.allocate(capacity: 64)
        var random = FastRandom()
        var count = 0

        while !stopRequested.load(ordering: .acquiring) {
            // Empty the pipe before draining the queues, so whatever lands afterwards wakes us.
            wakeup.drain()
            while let message = rd_kafka_consumer_poll(consumer, 0) {
                let m = message.pointee
                if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    printError("raw relay: \(errorText(m.err))")
                    rd_kafka_message_destroy(message)
                    continue
                }
                var n = 0
                func append(_ vu: rd_kafka_vu_t) {
                    vus[n] = vu
                    n += 1
                }
                var vu = rd_kafka_vu_t()
                vu.vtype = RD_KAFKA_VTYPE_TOPIC
                vu.u.cstr = UnsafePointer(outputTopic)
                append(vu)
                vu = rd_kafka_vu_t()
                vu.vtype = RD_KAFKA_VTYPE_KEY
                vu.u.mem.ptr = m.key
                vu.u.mem.size = m.key_len
                append(vu)
                vu = rd_kafka_vu_t()
                vu.vtype = RD_KAFKA_VTYPE_VALUE
                vu.u.mem.ptr = m.payload
                vu.u.mem.size = m.len
                append(vu)

                // Copy the input's headers, except those the child gets anew.
                var inputID: (UnsafeRawPointer?, Int) = (nil, 0)
                var inputTrace: (UnsafeRawPointer?, Int) = (nil, 0)
                var headers: OpaquePointer?
                if rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers {
                    var name: UnsafePointer<CChar>?
                    var value: UnsafeRawPointer?
                    var size = 0
                    var index = 0
                    while n < 56, rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                        index += 1
                        guard let name else { continue }
                        if strcmp(name, idName) == 0 {
                            inputID = (value, size)
                        } else if strcmp(name, traceName) == 0 {
                            inputTrace = (value, size)
                        } else if strcmp(name, causationName) != 0 {
                            vu = rd_kafka_vu_t()
                            vu.vtype = RD_KAFKA_VTYPE_HEADER
                            vu.u.header.name = name
                            vu.u.header.val = value
                            vu.u.header.size = size
                            append(vu)
                        }
                    }
                }
                // ce_id: a new random ID; ce_causationid: the input's.
                writeUUIDText(high: random.next(), low: random.next(), to: idValue)
                vu = rd_kafka_vu_t()
                vu.vtype = RD_KAFKA_VTYPE_HEADER
                vu.u.header.name = UnsafePointer(idName)
                vu.u.header.val = UnsafeRawPointer(idValue)
                vu.u.header.size = 36
                append(vu)
                if let id = inputID.0 {
                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_HEADER
                    vu.u.header.name = UnsafePointer(causationName)
                    vu.u.header.val = id
                    vu.u.header.size = inputID.1
                    append(vu)
                }
                // traceparent: the same trace, a new span (00-<trace>-<span>-<flags>).
                if let trace = inputTrace.0, inputTrace.1 == 55 {
                    traceValue.update(from: trace.assumingMemoryBound(to: UInt8.self), count: 55)
                } else {
                    writeHex(0, digits: 2, to: traceValue)
                    traceValue[2] = UInt8(ascii: "-")
                    writeHex(random.next(), digits: 16, to: traceValue + 3)
                    writeHex(random.next(), digits: 16, to: traceValue + 19)
                    traceValue[35] = UInt8(ascii: "-")
                    traceValue[52] = UInt8(ascii: "-")
                    writeHex(1, digits: 2, to: traceValue + 53)
                }
                writeHex(random.next() | 1, digits: 16, to: traceValue + 36)
                vu = rd_kafka_vu_t()
                vu.vtype = RD_KAFKA_VTYPE_HEADER
                vu.u.header.name = UnsafePointer(traceName)
                vu.u.header.val = UnsafeRawPointer(traceValue)
                vu.u.header.size = 55
                append(vu)

                // The input's partition and offset ride along as the opaque, for the report.
                vu = rd_kafka_vu_t()
                vu.vtype = RD_KAFKA_VTYPE_OPAQUE
                vu.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(m.partition) << 48 | UInt(m.offset))
                append(vu)
                vu = rd_kafka_vu_t()
                vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                vu.u.i = RD_KAFKA_MSG_F_COPY
                append(vu)

                do {
                    try produceRetrying(producer, vus, n)
                } catch {
                    printError("raw relay: \(error)")
                }
                rd_kafka_message_destroy(message)
                count += 1
                // Serve reports now and then while busy, so they are freed on this thread.
                if count & 255 == 0 {
                    relayed.store(count, ordering: .relaxed)
                    rd_kafka_poll(producer, 0)
                }
            }
            relayed.store(count, ordering: .relaxed)
            rd_kafka_poll(producer, 0)
            wakeup.wait(milliseconds: 1000)
        }

        // Children in flight: their reports store the last offsets. Then tear down in order.
        rd_kafka_flush(producer, 10_000)
        wakeup.detach(consumerQueue)
        wakeup.detach(reportQueue)
        rd_kafka_queue_destroy(consumerQueue)
        rd_kafka_queue_destroy(reportQueue)
        if let topic = context.inputTopic { rd_kafka_topic_destroy(topic) }
        rd_kafka_consumer_close(consumer)
        rd_kafka_destroy(consumer)
        rd_kafka_destroy(producer)
        free(idName)
        free(causationName)
        free(traceName)
        idValue.deallocate()
        traceValue.deallocate()
        vus.deallocate()
        free(outputTopic)
        if context.failed > 0 { printError("raw relay: \(context.failed) children not delivered") }
        stopped.store(true, ordering: .releasing)
    }
}

/// On the relay thread, inside `rd_kafka_poll`/`rd_kafka_flush`: the child is acknowledged, so
/// its input is done.
private let relayDeliveryCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        let context = Unmanaged<RawRelay.Context>.fromOpaque(opaque).takeUnretainedValue()
        let m = message.pointee
        guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            context.failed += 1
            return
        }
        let packed = UInt(bitPattern: m._private)
        if rd_kafka_offset_store(context.inputTopic, Int32(packed >> 48), Int64(packed & 0xFFFF_FFFF_FFFF))
            == RD_KAFKA_RESP_ERR_NO_ERROR
        {
            context.stored += 1
        }
    }
