import BenchmarkResults

/// One timed run: how many messages went through in how long.
struct Throughput: Sendable {
    let messages: Int
    let elapsed: Duration

    var perSecond: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return seconds > 0 ? Double(messages) / seconds : 0
    }
}

/// Every run of one measurement, raw and Swift side by side.
struct Comparison {
    let name: String
    var raw: [Throughput] = []
    var swift: [Throughput] = []

    init(name: String) { self.name = name }

    static func best(_ runs: [Throughput]) -> Double { runs.map(\.perSecond).max() ?? 0 }

    static func median(_ runs: [Throughput]) -> Double {
        let sorted = runs.map(\.perSecond).sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The median run as a figure of `make bench`'s table, the raw side's median its baseline.
    func figure(workload: Workload) -> BenchmarkFigure {
        BenchmarkFigure(
            group: "kafka", figure: "\(name) throughput", value: Self.median(swift).rounded(), unit: "msg/s",
            better: .higher, baseline: ("raw librdkafka", Self.median(raw).rounded()),
            detail: (swift.count == 1 ? "1 run" : "median of \(swift.count) runs") + ", \(workload.messages) × \(workload.value.count) B, embedded cluster in process")
    }

    /// `produce  swift 1234567 msg/s  raw 2345678 msg/s  ratio 52.6%`
    func line(_ statistic: ([Throughput]) -> Double) -> String {
        let swiftRate = statistic(swift)
        let rawRate = statistic(raw)
        return pad(name, 8) + " swift " + pad(rate(swiftRate), 8, left: true) + " msg/s  raw "
            + pad(rate(rawRate), 8, left: true) + " msg/s  ratio " + percent(rawRate > 0 ? swiftRate / rawRate : 0)
    }
}

/// One line per run, printed as it finishes.
func runLine(_ label: String, _ run: Int, _ result: Throughput) -> String {
    "  run \(run)  " + pad(label, 16) + pad(rate(result.perSecond), 8, left: true) + " msg/s  ("
        + "\(result.messages) in \(seconds(result.elapsed)))"
}

func rate(_ perSecond: Double) -> String { String(Int(perSecond.rounded())) }

/// `52.6%`
func percent(_ fraction: Double) -> String {
    let tenths = Int((fraction * 1000).rounded())
    return "\(tenths / 10).\(tenths % 10)%"
}

/// `0.412 s`
func seconds(_ duration: Duration) -> String {
    let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction + " s"
}

func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return left ? padding + text : text + padding
}
