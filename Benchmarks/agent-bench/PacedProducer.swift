import CRdKafka
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Offers input events at a fixed rate for the latency runs: a C producer (`linger.ms=0`,
/// idempotent, as an upstream agent's) on its own thread, each event stamped with the
/// CLOCK_MONOTONIC time just before `rd_kafka_produceva` (see ``PreparedEvents``).
///
/// First it sends one probe event every 50 ms until the downstream consumer sees an output (the
/// side under test has joined its group and works), then paces `rate` events/s on an absolute
/// schedule for warm-up + measured seconds. Only events sent in the measured window count.
final class PacedProducer: @unchecked Sendable {
    static let probeInterval: UInt64 = 50_000_000
    static let maxProbes = 1_200  // a minute of probes

    /// Events needed for a run of these lengths.
    static func eventsNeeded(rate: Int, seconds: Int) -> Int { rate * seconds + maxProbes }

    let finished = Atomic<Bool>(false)
    /// Events sent inside the measured window (valid once finished).
    let measuredSent = Atomic<Int>(0)
    private(set) var failure: String?
    /// Events sent more than 1 ms after their scheduled time (the machine was busy).
    private(set) var late = 0
    private let rk: OpaquePointer
    private let events: PreparedEvents
    private let topic: String
    private let rate: Int
    private let warmupSeconds: Int
    private let seconds: Int
    private let downstream: Downstream

    init(
        bootstrapServers: String, topic: String, events: PreparedEvents, rate: Int, warmupSeconds: Int, seconds: Int,
        downstream: Downstream
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
        self.downstream = downstream
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
            let now = monotonicNanoseconds()
            events.stamp(index, nanoseconds: now)
            events.point(vus, at: index)
            do { try produceRetrying(rk, vus.baseAddress!, vus.count) } catch { failure = "\(error)" }
            index += 1
            rd_kafka_poll(rk, 0)
            return now
        }

        while downstream.seen.load(ordering: .acquiring) == 0 {
            guard index < Self.maxProbes else {
                failure = "no output within a minute of probing: the side under test does not work"
                return
            }
            let sentAt = send()
            sleepUntil(nanoseconds: sentAt + Self.probeInterval)
        }

        let start = monotonicNanoseconds() + 1_000_000
        let from = start + UInt64(warmupSeconds) * 1_000_000_000
        let until = from + UInt64(seconds) * 1_000_000_000
        downstream.measureUntil.store(until, ordering: .relaxed)
        downstream.measureFrom.store(from, ordering: .releasing)
        let total = rate * (warmupSeconds + seconds)
        var measured = 0
        for i in 0..<total {
            let target = start + UInt64(i) * 1_000_000_000 / UInt64(rate)
            let now = monotonicNanoseconds()
            if now < target {
                sleepUntil(nanoseconds: target)
            } else if now > target + 1_000_000 {
                late += 1
            }
            let sentAt = send()
            if sentAt >= from, sentAt < until { measured += 1 }
        }
        measuredSent.store(measured, ordering: .relaxed)
        let flushed = rd_kafka_flush(rk, 30_000)
        if flushed != RD_KAFKA_RESP_ERR_NO_ERROR { failure = "paced producer flush: \(errorText(flushed))" }
    }
}
