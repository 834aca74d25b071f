import Foundation

/// One throughput run: outputs seen downstream from the first to the `events`-th, and the CPU
/// the benchmark process (the side under test plus the counting consumer) and the broker used
/// meanwhile.
struct Throughput {
    /// Outputs after the first (the first starts the clock).
    let events: Int
    let seconds: Double
    let benchCPU: Double
    let brokerCPU: Double
    /// Inputs whose offsets the side committed by the time it stopped, of `inputs`.
    let committed: Int
    let inputs: Int

    var perSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }

    /// `run 1  raw librdkafka      123456 events/s  (99999 in 0.810 s; cores busy: bench 1.10, broker 0.72)`
    func line(_ side: Side, run: Int) -> String {
        "  run \(run)  " + pad(side.label, 16) + pad(rate(perSecond), 8, left: true) + " events/s  (\(events) in "
            + String(format: "%.3f s; cores busy: bench %.2f, broker %.2f)", seconds, benchCPU / seconds, brokerCPU / seconds)
            + (committed == inputs ? "" : "  WARNING: \(committed) of \(inputs) input offsets committed")
    }

    static func best(_ runs: [Throughput]) -> Double { runs.map(\.perSecond).max() ?? 0 }

    static func median(_ runs: [Throughput]) -> Double {
        let sorted = runs.map(\.perSecond).sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// One latency run: input send → output seen downstream, for the inputs sent in the window.
struct Latency {
    /// Nanoseconds, sorted.
    let samples: [UInt64]
    let sent: Int
    /// Events the paced producer sent over 1 ms after their scheduled time (the machine was busy).
    let late: Int
    let benchCPU: Double
    let brokerCPU: Double
    let seconds: Int

    init(samples: [UInt64], sent: Int, late: Int, benchCPU: Double, brokerCPU: Double, seconds: Int) {
        self.samples = samples.sorted()
        self.sent = sent
        self.late = late
        self.benchCPU = benchCPU
        self.brokerCPU = brokerCPU
        self.seconds = seconds
    }

    /// The `fraction` quantile in milliseconds (nearest rank).
    func quantile(_ fraction: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let rank = min(samples.count - 1, max(0, Int((fraction * Double(samples.count)).rounded(.up)) - 1))
        return Double(samples[rank]) / 1e6
    }

    var p50: Double { quantile(0.50) }
    var p99: Double { quantile(0.99) }

    /// `run 1  raw librdkafka    p50 1.35 ms  p90 ...  (50000 of 50000 outputs; cores busy ...)`
    func line(_ side: Side, run: Int) -> String {
        "  run \(run)  " + pad(side.label, 16)
            + String(
                format: "p50 %5.2f ms  p90 %5.2f  p99 %6.2f  p99.9 %6.2f  max %6.2f", p50, quantile(0.9), p99,
                quantile(0.999), quantile(1))
            + "  (\(samples.count) of \(sent) outputs"
            + (late > 0 ? ", \(late) sent >1 ms late" : "")
            + String(format: "; cores busy: bench %.2f, broker %.2f)", benchCPU / Double(seconds), brokerCPU / Double(seconds))
    }
}

func rate(_ perSecond: Double) -> String { String(Int(perSecond.rounded())) }

/// `52.6%`
func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return left ? padding + text : text + padding
}

func verdict(_ met: Bool) -> String { met ? "met" : "NOT met" }
