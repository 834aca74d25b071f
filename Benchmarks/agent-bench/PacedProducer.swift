import CRdKafka
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Offers input events at a fixed rate for the latency runs: a C producer (`linger.ms=0`,
/// idempotent, as an upstream agent's) on its own thread, each event stamped with the
/// CLOCK_REALTIME time just before `rd_kafka_produceva` (see ``PreparedEvents``), the clock
/// librdkafka sets the output's CreateTime from.
///
/// First it sends one probe event every 50 ms until the output topic holds a record (the side
/// under test has joined its group and works), raises ``working`` and waits for ``proceed`` (the
/// benchmark reads the side's idle memory meanwhile), then paces `rate` events/s on an absolute
/// schedule for warm-up + measured seconds. Nothing reads the output meanwhile. Only events sent
/// in the measured window count.
final class PacedProducer: @unchecked Sendable {
    static let probeInterval: UInt64 = 50_000_000
    static let maxProbes = 1_200  // a minute of probes

    /// Events needed for a run of these lengths.
    static func eventsNeeded(rate: Int, seconds: Int) -> Int { rate * seconds + maxProbes }

    /// The measured window, as send times: what ``PacedProducer`` reports once finished.
    struct Window {
        /// Events sent, probes and warm-up included.
        var sent = 0
        /// Events sent in the measured window.
        var measured = 0
        /// Send times (CLOCK_REALTIME ns) of the window's first and last events.
        var firstSent: UInt64 = 0
        var lastSent: UInt64 = 0
        /// Events sent more than 1 ms after their scheduled time (the machine was busy).
        var late = 0

        func contains(sentNanoseconds: UInt64) -> Bool { sentNanoseconds >= firstSent && sentNanoseconds <= lastSent }
    }

    let finished = Atomic<Bool>(false)
    /// The side relayed a probe; pacing starts once ``proceed`` is set.
    let working = Atomic<Bool>(false)
    let proceed = Atomic<Bool>(false)
    /// Set when the measured window opens and when it closes (for CPU samples).
    let measuring = Atomic<Bool>(false)
    let measured = Atomic<Bool>(false)
    /// Written by the producer thread; read once ``finished``.
    private(set) var window = Window()
    private(set) var failure: String?
    private let rk: OpaquePointer
    private let events: PreparedEvents
    private let topic: String
    private let rate: Int
    private let warmupSeconds: Int
    private let seconds: Int
    private let progress: OutputProgress

    init(
        bootstrapServers: String, topic: String, events: PreparedEvents, rate: Int, warmupSeconds: Int, seconds: Int,
        progress: OutputProgress
    ) throws {
        precondition(events.count >= Self.eventsNeeded(rate: rate, seconds: warmupSeconds + seconds))
        rk = try makeRawHandle(
            RD_KAFKA_PRODUCER, properties: relayProducerProperties(bootstrapServers: bootstrapServers, clientID: "agent-bench-paced"))
        if let handle = rd_kafka_topic_new(rk, topic, nil) { rd_kafka_topic_destroy(handle) }
        self.events = events
        self.topic = topic
        self.rate = rate
        self.warmupSeconds = warmupSeconds
        self.seconds = seconds
        self.progress = progress
        startThread(name: "paced-producer") { [self] in run() }
    }

    private func run() {
        defer { finished.store(true, ordering: .releasing) }
        defer { rd_kafka_destroy(rk) }
        let name = strdup(topic)!
        defer { free(name) }
        let vus = events.makeArguments(topic: name)
        defer { vus.deallocate() }
        var index = 0
        func send() -> UInt64 {
            let now = realtimeNanoseconds()
            events.stamp(index, nanoseconds: now)
            events.point(vus, at: index)
            do { try produceRetrying(rk, vus.baseAddress!, vus.count) } catch { failure = "\(error)" }
            index += 1
            rd_kafka_poll(rk, 0)
            return now
        }

        while (try? progress.records()) ?? 0 == 0 {
            guard index < Self.maxProbes else {
                failure = "no output within a minute of probing: the side under test does not work"
                return
            }
            let probedAt = monotonicNanoseconds()
            _ = send()
            sleepUntil(nanoseconds: probedAt + Self.probeInterval)
        }
        working.store(true, ordering: .releasing)
        while !proceed.load(ordering: .acquiring) { sleepUntil(nanoseconds: monotonicNanoseconds() + 1_000_000) }

        let start = monotonicNanoseconds() + 1_000_000
        let warmup = rate * warmupSeconds
        let total = rate * (warmupSeconds + seconds)
        for i in 0..<total {
            let target = start + UInt64(i) * 1_000_000_000 / UInt64(rate)
            let now = monotonicNanoseconds()
            if now < target {
                sleepUntil(nanoseconds: target)
            } else if now > target + 1_000_000 {
                window.late += 1
            }
            if i == warmup { measuring.store(true, ordering: .releasing) }
            let sentAt = send()
            if i >= warmup {
                if i == warmup { window.firstSent = sentAt }
                window.lastSent = sentAt
                window.measured += 1
            }
        }
        measured.store(true, ordering: .releasing)
        window.sent = index
        let flushed = rd_kafka_flush(rk, 30_000)
        if flushed != RD_KAFKA_RESP_ERR_NO_ERROR { failure = "paced producer flush: \(errorText(flushed))" }
    }
}
