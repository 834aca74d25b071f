import CRdKafka
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The separate consumer that sees the outputs of the side under test, as the next agent
/// downstream would: a C consumer on its own thread, assigned every partition of the output
/// topic from the start (no group join, so it is reading before the first output exists),
/// `fetch.wait.max.ms=1`.
///
/// Counting: notes the time of the first output and of the `expected`-th, and the CPU time
/// of this process and of the broker at both. Latency: reads each output's input send time off
/// its `ce_correlationid` (see ``PreparedEvents``) and keeps now − sent for inputs sent inside
/// the measured window.
final class Downstream: @unchecked Sendable {
    struct Window {
        var firstNanoseconds: UInt64 = 0
        var lastNanoseconds: UInt64 = 0
        var firstCPU = (bench: 0.0, broker: 0.0)
        var lastCPU = (bench: 0.0, broker: 0.0)
    }

    let seen = Atomic<Int>(0)
    let done = Atomic<Bool>(false)
    /// Inputs sent from this time (CLOCK_MONOTONIC ns) on, and before ``measureUntil``, count
    /// for latency; 0 until the paced producer sets it.
    let measureFrom = Atomic<UInt64>(0)
    let measureUntil = Atomic<UInt64>(0)
    private let rk: OpaquePointer
    private let expected: Int
    private let latency: Bool
    private let brokerProcess: Int32
    private let stopRequested = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    /// Written by the consumer thread only; read after ``stop()``.
    private(set) var window = Window()
    private(set) var latencies: [UInt64] = []
    /// Outputs of inputs sent inside the measured window, seen so far.
    let measured = Atomic<Int>(0)

    init(bootstrapServers: String, topic: String, expected: Int, latency: Bool, brokerProcess: Int32) throws {
        self.expected = expected
        self.latency = latency
        self.brokerProcess = brokerProcess
        rk = try makeRawHandle(
            RD_KAFKA_CONSUMER,
            properties: [
                ("bootstrap.servers", bootstrapServers), ("client.id", "agent-bench-downstream"),
                ("group.id", "agent-bench-downstream"), ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"), ("enable.partition.eof", "false"),
                ("fetch.wait.max.ms", "1"),
            ])
        rd_kafka_poll_set_consumer(rk)
        let list = rd_kafka_topic_partition_list_new(Int32(benchPartitions))!
        for partition in 0..<Int32(benchPartitions) {
            rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
        let code = rd_kafka_assign(rk, list)
        rd_kafka_topic_partition_list_destroy(list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            rd_kafka_destroy(rk)
            throw BenchError("downstream assign failed: \(errorText(code))")
        }
        if latency { latencies.reserveCapacity(1 << 17) }
        startThread(name: "downstream") { [self] in run() }
    }

    func stop() async {
        stopRequested.store(true, ordering: .releasing)
        while !stopped.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    private func run() {
        let correlationName = strdup("ce_correlationid")!
        var count = 0
        while !stopRequested.load(ordering: .acquiring) {
            guard let message = rd_kafka_consumer_poll(rk, 100) else { continue }
            let now = monotonicNanoseconds()
            defer { rd_kafka_message_destroy(message) }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                printError("downstream: \(errorText(message.pointee.err))")
                continue
            }
            count += 1
            if count == 1 {
                window.firstNanoseconds = now
                window.firstCPU = (selfCPUSeconds(), processCPUSeconds(brokerProcess))
            }
            if count == expected {
                window.lastNanoseconds = now
                window.lastCPU = (selfCPUSeconds(), processCPUSeconds(brokerProcess))
                done.store(true, ordering: .releasing)
            }
            if latency {
                var headers: OpaquePointer?
                var value: UnsafeRawPointer?
                var size = 0
                if rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR,
                    rd_kafka_header_get_last(headers, correlationName, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                    let value, let sent = readUUIDHigh(value.assumingMemoryBound(to: UInt8.self), count: size)
                {
                    let from = measureFrom.load(ordering: .relaxed)
                    if from != 0, sent >= from, sent < measureUntil.load(ordering: .relaxed) {
                        latencies.append(now &- sent)
                        measured.add(1, ordering: .releasing)
                    }
                }
            }
            seen.store(count, ordering: .releasing)
        }
        free(correlationName)
        rd_kafka_consumer_close(rk)
        rd_kafka_destroy(rk)
        stopped.store(true, ordering: .releasing)
    }
}
