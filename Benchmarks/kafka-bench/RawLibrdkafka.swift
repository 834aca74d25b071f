import CRdKafka

#if canImport(Glibc)
import Glibc
#endif

// The baseline: what a careful C program does with librdkafka, written in Swift over the C API.

/// Sends the workload with `rd_kafka_produceva`, polling for delivery reports every 1,024
/// messages and, when the queue is full, for 10 ms before retrying; then `rd_kafka_flush`.
/// Timed like ``swiftProduce``: after one untimed message, from the first call to the flush's end.
func rawProduce(
    bootstrapServers: String, topic: String, workload: Workload, settings: ProducerSettings
) throws -> Throughput {
    let counts = UnsafeMutablePointer<DeliveryCounts>.allocate(capacity: 1)
    counts.initialize(to: DeliveryCounts())
    defer { counts.deallocate() }
    let rk = try makeRawHandle(RD_KAFKA_PRODUCER, properties: settings.rawProperties(bootstrapServers: bootstrapServers)) {
        rd_kafka_conf_set_dr_msg_cb($0, rawDeliveryCallback)
        rd_kafka_conf_set_opaque($0, counts)
    }
    defer { rd_kafka_destroy(rk) }
    let message = RawMessage(topic: topic, workload: workload)

    try rawProduceOne(rk, message.arguments)
    rd_kafka_flush(rk, 30_000)

    let start = ContinuousClock.now
    for index in 0..<workload.messages {
        message.selectKey(workload.keyIndex(index))
        try rawProduceOne(rk, message.arguments)
        if index & 1023 == 0 { rd_kafka_poll(rk, 0) }
    }
    let flushed = rd_kafka_flush(rk, 120_000)
    let elapsed = start.duration(to: .now)

    guard flushed == RD_KAFKA_RESP_ERR_NO_ERROR, counts.pointee.delivered == workload.messages + 1 else {
        throw BenchError(
            "raw producer delivered \(counts.pointee.delivered) of \(workload.messages + 1) messages "
                + "(\(counts.pointee.failed) failed)")
    }
    return Throughput(messages: workload.messages, elapsed: elapsed)
}

/// `rd_kafka_produceva`, retried after serving delivery reports while the queue is full.
@inline(__always)
private func rawProduceOne(_ rk: OpaquePointer, _ arguments: UnsafeMutableBufferPointer<rd_kafka_vu_t>) throws {
    while let error = rd_kafka_produceva(rk, arguments.baseAddress, arguments.count) {
        let code = rd_kafka_error_code(error)
        rd_kafka_error_destroy(error)
        guard code == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
            throw BenchError("rd_kafka_produceva failed: \(String(cString: rd_kafka_err2str(code)))")
        }
        rd_kafka_poll(rk, 10)
    }
}

/// Reads `expected` messages with `rd_kafka_consumer_poll(rk, 1000)`, storing each offset with
/// `rd_kafka_offset_store`; then closes and destroys the consumer. Timed like ``swiftConsume``.
func rawConsume(bootstrapServers: String, topic: String, groupID: String, expected: Int) throws -> Throughput {
    let rk = try makeRawHandle(
        RD_KAFKA_CONSUMER, properties: rawConsumerProperties(bootstrapServers: bootstrapServers, groupID: groupID))
    rd_kafka_poll_set_consumer(rk)
    defer {
        rd_kafka_consumer_close(rk)
        rd_kafka_destroy(rk)
    }
    let subscription = rd_kafka_topic_partition_list_new(1)!
    rd_kafka_topic_partition_list_add(subscription, topic, RD_KAFKA_PARTITION_UA)
    let subscribed = rd_kafka_subscribe(rk, subscription)
    rd_kafka_topic_partition_list_destroy(subscription)
    guard subscribed == RD_KAFKA_RESP_ERR_NO_ERROR else {
        throw BenchError("rd_kafka_subscribe failed: \(String(cString: rd_kafka_err2str(subscribed)))")
    }

    let giveUp = ContinuousClock.now + consumeTimeout
    var received = 0
    var touched = 0
    var first = ContinuousClock.now
    var last = first
    while received < expected {
        guard let message = rd_kafka_consumer_poll(rk, 1000) else {
            if ContinuousClock.now > giveUp { break }
            continue
        }
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            print("raw consumer: \(String(cString: rd_kafka_err2str(m.err)))")
            continue
        }
        if received == 0 { first = .now }
        var headers: OpaquePointer?
        let headerCount = rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR
            ? rd_kafka_header_cnt(headers) : 0
        touched &+= m.len &+ m.key_len &+ headerCount
        let stored = rd_kafka_offset_store(m.rkt, m.partition, m.offset)
        guard stored == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchError("rd_kafka_offset_store failed: \(String(cString: rd_kafka_err2str(stored)))")
        }
        received += 1
        if received == expected { last = .now }
    }

    guard received == expected else {
        throw BenchError("raw consumer got \(received) of \(expected) records within \(consumeTimeout)")
    }
    blackHole(touched)
    return Throughput(messages: received - 1, elapsed: first.duration(to: last))
}

/// Messages stored in `topic` (high minus low watermark, summed over its partitions).
func storedMessageCount(bootstrapServers: String, topic: String, partitions: Int) throws -> Int {
    let rk = try makeRawHandle(RD_KAFKA_PRODUCER, properties: [("bootstrap.servers", bootstrapServers)])
    defer { rd_kafka_destroy(rk) }
    var total = 0
    for partition in 0..<Int32(partitions) {
        var low: Int64 = 0
        var high: Int64 = 0
        let code = rd_kafka_query_watermark_offsets(rk, topic, partition, &low, &high, 10_000)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchError("cannot read the offsets of \(topic)/\(partition): \(String(cString: rd_kafka_err2str(code)))")
        }
        total += Int(high - low)
    }
    return total
}

// MARK: - Helpers

/// A message's `rd_kafka_vu_t` arguments, in C memory, built once: the loop only moves the key
/// pointer. Layout: TOPIC, KEY, VALUE, HEADER, HEADER, MSGFLAGS (`RD_KAFKA_MSG_F_COPY`).
final class RawMessage {
    let arguments: UnsafeMutableBufferPointer<rd_kafka_vu_t>
    private let keys: UnsafeMutableRawBufferPointer
    private let keyLength: Int
    private var allocations: [UnsafeMutableRawPointer] = []

    init(topic: String, workload: Workload) {
        keyLength = workload.keys[0].count
        keys = .allocate(byteCount: keyLength * workload.keys.count, alignment: 1)
        for (index, key) in workload.keys.enumerated() {
            precondition(key.count == keyLength, "the raw side expects keys of one length")
            keys.baseAddress!.advanced(by: index * keyLength).copyMemory(from: key, byteCount: keyLength)
        }
        arguments = .allocate(capacity: 4 + workload.headers.count)

        var next = 0
        func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
            var vu = rd_kafka_vu_t()
            vu.vtype = type
            fill(&vu)
            arguments[next] = vu
            next += 1
        }
        let topicName = keep(strdup(topic)!)
        append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = UnsafePointer(topicName.assumingMemoryBound(to: CChar.self)) }
        append(RD_KAFKA_VTYPE_KEY) {
            $0.u.mem.ptr = UnsafeMutableRawPointer(keys.baseAddress!)
            $0.u.mem.size = keyLength
        }
        let value = keep(bytes: workload.value)
        append(RD_KAFKA_VTYPE_VALUE) {
            $0.u.mem.ptr = value
            $0.u.mem.size = workload.value.count
        }
        for header in workload.headers {
            let name = keep(strdup(header.name)!)
            let bytes = header.value ?? []
            let headerValue = keep(bytes: bytes)
            append(RD_KAFKA_VTYPE_HEADER) {
                $0.u.header.name = UnsafePointer(name.assumingMemoryBound(to: CChar.self))
                $0.u.header.val = UnsafeRawPointer(headerValue)
                $0.u.header.size = bytes.count
            }
        }
        append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
    }

    deinit {
        arguments.deallocate()
        keys.deallocate()
        for pointer in allocations { free(pointer) }
    }

    /// Points the KEY argument at key number `index`.
    @inline(__always)
    func selectKey(_ index: Int) {
        arguments[1].u.mem.ptr = keys.baseAddress! + index * keyLength
    }

    private func keep(_ pointer: UnsafeMutablePointer<CChar>) -> UnsafeMutableRawPointer {
        allocations.append(UnsafeMutableRawPointer(pointer))
        return UnsafeMutableRawPointer(pointer)
    }

    private func keep(bytes: [UInt8]) -> UnsafeMutableRawPointer {
        let pointer = malloc(max(bytes.count, 1))!
        pointer.copyMemory(from: bytes, byteCount: bytes.count)
        allocations.append(pointer)
        return pointer
    }
}

/// Delivery reports counted by the raw producer's callback (on the thread that polls).
struct DeliveryCounts {
    var delivered = 0
    var failed = 0
}

private let rawDeliveryCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        let counts = opaque.assumingMemoryBound(to: DeliveryCounts.self)
        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            counts.pointee.delivered += 1
        } else {
            counts.pointee.failed += 1
        }
    }

/// `rd_kafka_new` with properties set one by one, failing on the first bad one.
func makeRawHandle(
    _ type: rd_kafka_type_t, properties: [(String, String)], configure: (OpaquePointer) -> Void = { _ in }
) throws -> OpaquePointer {
    let conf = rd_kafka_conf_new()!
    var errstr = [CChar](repeating: 0, count: 512)
    for (key, value) in properties {
        guard rd_kafka_conf_set(conf, key, value, &errstr, errstr.count) == RD_KAFKA_CONF_OK else {
            rd_kafka_conf_destroy(conf)
            throw BenchError("\(key)=\(value): \(text(errstr))")
        }
    }
    configure(conf)
    guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
        rd_kafka_conf_destroy(conf)
        throw BenchError("rd_kafka_new: \(text(errstr))")
    }
    return rk
}

/// The text librdkafka wrote into an `errstr` buffer.
private func text(_ errstr: [CChar]) -> String {
    errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
