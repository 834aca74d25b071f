import CRdKafka
import Foundation

#if canImport(Glibc)
import Glibc
#endif

// librdkafka clients written the way a careful C program would, shared by the raw relay, the
// input producers and the output readers.

// MARK: Settings

/// Partitions of the input and output topics of both sides: enough that a raw librdkafka relay
/// and the embedded cluster saturate two cores (the embedded cluster returns one producer batch
/// per partition per fetch).
let benchPartitions = 24

/// The consumer properties of both sides: what `AgentRuntimeConfiguration` gives the agent's
/// consumer (`KafkaConsumerConfiguration` defaults, the runtime's metadata refresh, plus
/// ``SharedClientProperties``), set by hand on the raw relay. `fetchWaitMilliseconds` replaces
/// the shared 1 ms fetch wait (the end-to-end part gives the relays the agents' own setting).
func relayConsumerProperties(
    bootstrapServers: String, groupID: String, fetchWaitMilliseconds: Int? = nil
) -> [(String, String)] {
    [
        ("bootstrap.servers", bootstrapServers),
        ("client.id", "\(groupID)-raw"),
        ("group.id", groupID),
        ("auto.offset.reset", "earliest"),
        ("auto.commit.interval.ms", "5000"),
        ("partition.assignment.strategy", "range,roundrobin"),
        ("enable.auto.offset.store", "false"),
        ("enable.auto.commit", "true"),
        ("enable.partition.eof", "false"),
        ("topic.metadata.refresh.interval.ms", "10000"),
    ] + SharedClientProperties.consumer + (fetchWaitMilliseconds.map { [("fetch.wait.max.ms", String($0))] } ?? [])
}

/// The producer properties of both sides: what `AgentRuntimeConfiguration` gives the agent's
/// producer (`KafkaProducerConfiguration` defaults with `linger.ms=0`), set by hand on the raw relay.
func relayProducerProperties(bootstrapServers: String, clientID: String) -> [(String, String)] {
    [
        ("bootstrap.servers", bootstrapServers),
        ("client.id", clientID),
        ("acks", "all"),
        ("message.timeout.ms", "300000"),
        ("compression.codec", "none"),
        ("partitioner", "consistent_random"),
        ("queue.buffering.max.messages", "100000"),
    ] + SharedClientProperties.producer
}

/// Properties set explicitly on both sides (the agent gets them through
/// `AgentRuntimeConfiguration.properties`): the embedded cluster holds an empty fetch for the
/// whole `fetch.wait.max.ms`, and lets a further group member join only after
/// `session.timeout.ms` − 1 s.
enum SharedClientProperties {
    static let consumer = [
        ("fetch.wait.max.ms", "1"),
        ("session.timeout.ms", "6000"),
        ("heartbeat.interval.ms", "2000"),
    ]
    static let producer = [
        ("linger.ms", "0"),
        ("enable.idempotence", "true"),
    ]
}

// MARK: Handles

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

private func text(_ errstr: [CChar]) -> String {
    errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

func errorText(_ code: rd_kafka_resp_err_t) -> String { String(cString: rd_kafka_err2str(code)) }

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
            throw BenchError("cannot read the offsets of \(topic)/\(partition): \(errorText(code))")
        }
        total += Int(high - low)
    }
    return total
}

/// Offsets `group` has committed for `topic`, summed over its partitions: after a side stopped,
/// the number of inputs it marked done (each offset is the next one to read).
func committedTotal(bootstrapServers: String, group: String, topic: String, partitions: Int) throws -> Int {
    let rk = try makeRawHandle(
        RD_KAFKA_CONSUMER,
        properties: [("bootstrap.servers", bootstrapServers), ("group.id", group), ("enable.auto.commit", "false")])
    defer {
        rd_kafka_consumer_close(rk)
        rd_kafka_destroy(rk)
    }
    let list = rd_kafka_topic_partition_list_new(Int32(partitions))!
    defer { rd_kafka_topic_partition_list_destroy(list) }
    for partition in 0..<Int32(partitions) { rd_kafka_topic_partition_list_add(list, topic, partition) }
    let code = rd_kafka_committed(rk, list, 10_000)
    guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
        throw BenchError("cannot read the committed offsets of \(group): \(errorText(code))")
    }
    return (0..<Int(list.pointee.cnt)).reduce(0) { total, index in
        total + max(0, Int(list.pointee.elems[index].offset))
    }
}

/// `rd_kafka_produceva`, retried after serving delivery reports while the queue is full.
@inline(__always)
func produceRetrying(_ rk: OpaquePointer, _ vus: UnsafeMutablePointer<rd_kafka_vu_t>, _ count: Int) throws {
    while let error = rd_kafka_produceva(rk, vus, count) {
        let code = rd_kafka_error_code(error)
        rd_kafka_error_destroy(error)
        guard code == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
            throw BenchError("rd_kafka_produceva failed: \(errorText(code))")
        }
        rd_kafka_poll(rk, 10)
    }
}

// MARK: Threads and clocks

/// Starts a dedicated thread: blocking librdkafka calls never run on Swift's cooperative pool.
func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.name = name
    thread.stackSize = 1 << 20
    thread.start()
}

/// CLOCK_MONOTONIC in nanoseconds: the clock of schedules and deadlines.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
}

/// CLOCK_REALTIME in nanoseconds: the clock librdkafka stamps a record's CreateTime from
/// (`gettimeofday`), so send times and output times compare across processes.
@inline(__always)
func realtimeNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
}

/// Sleeps until `deadline` (CLOCK_MONOTONIC nanoseconds).
func sleepUntil(nanoseconds deadline: UInt64) {
    var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &time, nil) == EINTR {}
}

/// A pipe librdkafka writes to when a queue becomes non-empty (`rd_kafka_queue_io_event_enable`),
/// so a thread serving several queues sleeps in `poll()` and never on a timer.
final class WakeupPipe: @unchecked Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() {
        var fds: [Int32] = [0, 0]
        precondition(fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) } == 0, "pipe() failed")
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    func attach(_ queue: OpaquePointer) {
        var payload: UInt8 = 1
        rd_kafka_queue_io_event_enable(queue, writeEnd, &payload, 1)
    }

    func detach(_ queue: OpaquePointer) { rd_kafka_queue_io_event_enable(queue, -1, nil, 0) }

    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    func wait(milliseconds: Int32) {
        var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, milliseconds)
    }

    func drain() {
        var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &buffer, { read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
    }
}

// MARK: Text

/// SplitMix64: the raw relay's source of event and span IDs (a C relay would use a fast PRNG too;
/// AgentBus uses the kernel CSPRNG and UUIDv5 for these).
struct FastRandom {
    var state: UInt64

    init() { state = monotonicNanoseconds() ^ 0x9E37_79B9_7F4A_7C15 }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let hexDigits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
    (48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102)

/// Writes the low `digits` hex digits of `value`, most significant first.
@inline(__always)
func writeHex(_ value: UInt64, digits: Int, to pointer: UnsafeMutablePointer<UInt8>) {
    withUnsafeBytes(of: hexDigits) { table in
        for index in 0..<digits {
            pointer[index] = table[Int((value >> UInt64(4 * (digits - 1 - index))) & 0xF)]
        }
    }
}

/// Writes 128 bits as a UUID-shaped `8-4-4-4-12` string (36 bytes).
@inline(__always)
func writeUUIDText(high: UInt64, low: UInt64, to pointer: UnsafeMutablePointer<UInt8>) {
    writeHex(high >> 32, digits: 8, to: pointer)
    pointer[8] = UInt8(ascii: "-")
    writeHex(high >> 16, digits: 4, to: pointer + 9)
    pointer[13] = UInt8(ascii: "-")
    writeHex(high, digits: 4, to: pointer + 14)
    pointer[18] = UInt8(ascii: "-")
    writeHex(low >> 48, digits: 4, to: pointer + 19)
    pointer[23] = UInt8(ascii: "-")
    writeHex(low, digits: 12, to: pointer + 24)
}

/// The first 64 bits of a UUID-shaped string (see ``writeUUIDText(high:low:to:)``); nil if not hex.
@inline(__always)
func readUUIDHigh(_ pointer: UnsafePointer<UInt8>, count: Int) -> UInt64? {
    guard count >= 18 else { return nil }
    var value: UInt64 = 0
    for index in 0..<18 where index != 8 && index != 13 {
        let c = pointer[index]
        let digit: UInt8
        switch c {
        case 48...57: digit = c - 48
        case 97...102: digit = c - 87
        default: return nil
        }
        value = value << 4 | UInt64(digit)
    }
    return value
}
