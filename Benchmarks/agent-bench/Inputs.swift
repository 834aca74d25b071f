import AgentBus
import CRdKafka
import Kafka

#if canImport(Glibc)
import Glibc
#endif

/// Input events as AgentBus writes them, built once with `EventEnvelope.root(...)` and
/// `kafkaHeaders` and laid out in C memory, so that sending one is a loop of C calls and both
/// sides (and every run) read byte-for-byte the same kind of record.
///
/// Every event has its own `ce_id` (the agent drops repeated IDs as duplicates). Key = correlation
/// ID, as ``EventPublisher`` keys a root event of a type without `x-agentbus-key`.
///
/// With `timestamped`, the correlation ID (and so the key) has the shape of a UUID whose first 64
/// bits are left to be filled with the send time (``stamp(_:nanoseconds:)``, CLOCK_REALTIME): the
/// correlation ID is the one header both the agent and the raw relay copy to their output
/// unchanged, so ``OutputLog`` reads the input's send time off every output.
///
/// With `payloads`, each event carries its own payload (all of one length, such as applications
/// with fixed-width IDs), kept in the arena after its headers; otherwise all share `payload`.
final class PreparedEvents: @unchecked Sendable {
    let count: Int
    let payload: [UInt8]
    let type: String
    /// Bytes of one event in ``arena``: its key, its header values, then its own payload if any.
    let stride: Int
    /// Where an event's own payload starts in its stride; nil when all share ``payload``.
    let payloadOffset: Int?
    let keyLength: Int
    /// Header names (C strings), and each value's offset in the stride and length.
    let headerNames: [UnsafeMutablePointer<CChar>]
    let headerOffsets: [Int]
    let headerLengths: [Int]
    /// Index of `ce_correlationid` in the headers.
    let correlationHeader: Int
    let timestamped: Bool
    private let arena: UnsafeMutablePointer<UInt8>
    private let payloadCopy: UnsafeMutablePointer<UInt8>

    /// Header bytes (names and values) of one event, for the description.
    var headerBytes: Int { zip(headerNames, headerLengths).reduce(0) { $0 + strlen($1.0) + $1.1 } }

    init(
        count: Int, type: String, dataSchema: String, payload shared: [UInt8], timestamped: Bool,
        payloads: ((Int) -> [UInt8])? = nil
    ) {
        let payload = payloads?(0) ?? shared
        self.count = count
        self.payload = payload
        self.type = type
        self.timestamped = timestamped
        payloadCopy = .allocate(capacity: max(1, payload.count))
        payloadCopy.initialize(from: payload, count: payload.count)

        func envelope(_ index: Int) -> EventEnvelope {
            // A root event as `agentbus publish` builds it (see EventPublisher.prepare).
            let correlationID = timestamped ? Self.correlationTemplate(index) : nil
            var envelope = EventEnvelope.root(
                type: type, source: "/cli", data: payload, dataSchema: dataSchema, correlationID: correlationID)
            envelope.key = envelope.correlationID
            return envelope
        }
        let first = envelope(0)
        let firstHeaders = first.kafkaHeaders
        keyLength = first.key!.utf8.count
        headerNames = firstHeaders.map { strdup($0.name)! }
        headerLengths = firstHeaders.map { $0.value?.count ?? 0 }
        var offset = keyLength
        var offsets: [Int] = []
        for length in headerLengths {
            offsets.append(offset)
            offset += length
        }
        headerOffsets = offsets
        payloadOffset = payloads == nil ? nil : offset
        stride = offset + (payloads == nil ? 0 : payload.count)
        correlationHeader = firstHeaders.firstIndex { $0.name == EnvelopeHeader.correlationID }!

        arena = .allocate(capacity: stride * count)
        for index in 0..<count {
            let event = index == 0 ? first : envelope(index)
            let headers = index == 0 ? firstHeaders : event.kafkaHeaders
            let base = arena + index * stride
            let key = Array(event.key!.utf8)
            precondition(key.count == keyLength && headers.count == headerNames.count, "events of one shape")
            base.update(from: key, count: key.count)
            for (slot, header) in headers.enumerated() {
                let value = header.value ?? []
                precondition(value.count == headerLengths[slot], "\(header.name) of one length in every event")
                (base + headerOffsets[slot]).update(from: value, count: value.count)
            }
            if let payloads, let payloadOffset {
                let own = index == 0 ? payload : payloads(index)
                precondition(own.count == payload.count, "payloads of one length")
                (base + payloadOffset).update(from: own, count: own.count)
            }
        }
    }

    deinit {
        arena.deallocate()
        payloadCopy.deallocate()
        for name in headerNames { free(name) }
    }

    /// `00000000-0000-0000-xxxx-xxxxxxxxxxxx`: the index in the last 64 bits; the first 64 are
    /// the send time, written at send.
    private static func correlationTemplate(_ index: Int) -> String {
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 36)
        defer { bytes.deallocate() }
        writeUUIDText(high: 0, low: UInt64(index), to: bytes)
        return String(decoding: UnsafeBufferPointer(start: bytes, count: 36), as: UTF8.self)
    }

    /// `rd_kafka_produceva` arguments for these events: TOPIC, KEY, VALUE, HEADER..., MSGFLAGS.
    /// ``point(_:at:)`` moves the KEY and HEADER pointers to one event.
    func makeArguments(topic: UnsafePointer<CChar>) -> UnsafeMutableBufferPointer<rd_kafka_vu_t> {
        let vus = UnsafeMutableBufferPointer<rd_kafka_vu_t>.allocate(capacity: 4 + headerNames.count)
        var vu = rd_kafka_vu_t()
        vu.vtype = RD_KAFKA_VTYPE_TOPIC
        vu.u.cstr = topic
        vus[0] = vu
        vu = rd_kafka_vu_t()
        vu.vtype = RD_KAFKA_VTYPE_KEY
        vu.u.mem.size = keyLength
        vus[1] = vu
        vu = rd_kafka_vu_t()
        vu.vtype = RD_KAFKA_VTYPE_VALUE
        vu.u.mem.ptr = UnsafeMutableRawPointer(payloadCopy)
        vu.u.mem.size = payload.count
        vus[2] = vu
        for slot in headerNames.indices {
            vu = rd_kafka_vu_t()
            vu.vtype = RD_KAFKA_VTYPE_HEADER
            vu.u.header.name = UnsafePointer(headerNames[slot])
            vu.u.header.size = headerLengths[slot]
            vus[3 + slot] = vu
        }
        vu = rd_kafka_vu_t()
        vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS
        vu.u.i = RD_KAFKA_MSG_F_COPY
        vus[3 + headerNames.count] = vu
        return vus
    }

    @inline(__always)
    func point(_ vus: UnsafeMutableBufferPointer<rd_kafka_vu_t>, at index: Int) {
        let base = arena + index * stride
        vus[1].u.mem.ptr = UnsafeMutableRawPointer(base)
        if let payloadOffset { vus[2].u.mem.ptr = UnsafeMutableRawPointer(base + payloadOffset) }
        for slot in headerNames.indices {
            vus[3 + slot].u.header.val = UnsafeRawPointer(base + headerOffsets[slot])
        }
    }

    /// Writes `nanoseconds` into the first 64 bits of event `index`'s correlation ID and key.
    @inline(__always)
    func stamp(_ index: Int, nanoseconds: UInt64) {
        let base = arena + index * stride
        let low = UInt64(index)
        writeUUIDText(high: nanoseconds, low: low, to: base)
        writeUUIDText(high: nanoseconds, low: low, to: base + headerOffsets[correlationHeader])
    }
}

/// Sends every event to `topic` with a C producer (big batches: `linger.ms=5`), flushes, and
/// checks that the broker holds them all. Not timed: done before the side under test starts.
func preProduce(bootstrapServers: String, topic: String, events: PreparedEvents) throws {
    let rk = try makeRawHandle(
        RD_KAFKA_PRODUCER,
        properties: [
            ("bootstrap.servers", bootstrapServers), ("client.id", "agent-bench-input"),
            ("enable.idempotence", "true"), ("linger.ms", "5"), ("batch.num.messages", "10000"),
            ("queue.buffering.max.messages", "1000000"),
        ])
    defer { rd_kafka_destroy(rk) }
    let name = strdup(topic)!
    defer { free(name) }
    let vus = events.makeArguments(topic: name)
    defer { vus.deallocate() }
    for index in 0..<events.count {
        events.point(vus, at: index)
        try produceRetrying(rk, vus.baseAddress!, vus.count)
        if index & 1023 == 0 { rd_kafka_poll(rk, 0) }
    }
    let flushed = rd_kafka_flush(rk, 60_000)
    guard flushed == RD_KAFKA_RESP_ERR_NO_ERROR else { throw BenchError("input flush failed: \(errorText(flushed))") }
    let stored = try storedMessageCount(bootstrapServers: bootstrapServers, topic: topic, partitions: benchPartitions)
    guard stored == events.count else {
        throw BenchError(
            "\(topic) holds \(stored) of \(events.count) input events: the broker dropped some (5 MiB per partition); "
                + "use fewer --events")
    }
}
