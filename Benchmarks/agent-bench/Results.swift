import Foundation

/// One throughput run: the outputs' CreateTimes from the first to the last (the first starts the
/// clock, so the ~3 s group join is left out), the CPU the side's process and the broker used
/// meanwhile, and the side's memory at the end.
struct Throughput {
    /// Outputs after the first.
    let events: Int
    let seconds: Double
    let hopCPU: Double
    let brokerCPU: Double
    /// The side's process once every output existed (VmRSS, and VmHWM: its peak).
    let memory: ProcessMemory
    /// Inputs whose offsets the side committed by the time it stopped, of `inputs`.
    let committed: Int
    let inputs: Int
    /// Records in the agent's `<agent>.journal` once it stopped; nil when it keeps no journal.
    var journalRecords: Int?

    var perSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }

    /// CPU microseconds per output of the side's process and of the broker.
    var hopMicrosecondsPerEvent: Double { events > 0 ? hopCPU / Double(events) * 1e6 : .nan }
    var brokerMicrosecondsPerEvent: Double { events > 0 ? brokerCPU / Double(events) * 1e6 : .nan }

    /// Journal records per input event.
    var journalRecordsPerEvent: Double? { journalRecords.map { Double($0) / Double(inputs) } }

    /// `run 1  raw librdkafka   123456 events/s  (99999 in 0.810 s; cores busy: hop 1.10, broker 0.72; ...)`
    func line(_ label: String, run: Int) -> String {
        "  run \(run)  " + pad(label, 16) + pad(rate(perSecond), 8, left: true) + " events/s  (\(events) in "
            + String(
                format: "%.3f s; cores busy: hop %.2f, broker %.2f", seconds, hopCPU / seconds, brokerCPU / seconds)
            + "; hop RSS \(ProcessMemory.megabytes(memory.resident)), "
            + "peak \(ProcessMemory.megabytes(memory.peakResident))"
            + (journalRecords.map { "; \($0) journal records" } ?? "") + ")"
            + (committed == inputs ? "" : "  WARNING: \(committed) of \(inputs) input offsets committed")
    }

    static func best(_ runs: [Throughput]) -> Double { runs.map(\.perSecond).max() ?? 0 }

    static func median(_ runs: [Throughput]) -> Double { medianValue(runs.map(\.perSecond)) }
}

/// One latency run at a fixed offered rate: input send → output created by the hop, for the
/// inputs sent in the measured window.
struct Latency {
    /// The share of the window the last output may come after the last input, for the hop to
    /// count as keeping up: a backlog that grows over the window shows as a late last output.
    static let keepUpMargin = 0.05

    let rate: Int
    /// Nanoseconds, sorted; one per output of a measured input.
    let samples: [Int64]
    /// Inputs sent in the window, and how many of them have an output.
    let measured: Int
    let relayed: Int
    /// The window's length (first to last input sent) and how long after its last input the
    /// last of its outputs was created, nanoseconds.
    let windowNanoseconds: Int64
    let finishLagNanoseconds: Int64
    /// Events the paced producer sent over 1 ms after their scheduled time (the machine was busy).
    let late: Int
    let hopCPU: Double
    let brokerCPU: Double
    /// The side's process after it relayed its first (probe) event, before the paced load.
    let idleMemory: ProcessMemory

    init(
        rate: Int, samples: [Int64], window: PacedProducer.Window, lastCreated: Int64, late: Int, hopCPU: Double,
        brokerCPU: Double, idleMemory: ProcessMemory
    ) {
        self.rate = rate
        self.samples = samples.sorted()
        measured = window.measured
        relayed = samples.count
        windowNanoseconds = Int64(window.lastSent - window.firstSent)
        finishLagNanoseconds = samples.isEmpty ? .max : lastCreated - Int64(window.lastSent)
        self.late = late
        self.hopCPU = hopCPU
        self.brokerCPU = brokerCPU
        self.idleMemory = idleMemory
    }

    /// Every input of the window relayed, the last output within ``keepUpMargin`` of the window
    /// after the last input: the hop ended the window's work within 105% of the offered time.
    var keepsUp: Bool {
        relayed >= measured && Double(finishLagNanoseconds) <= Self.keepUpMargin * Double(windowNanoseconds)
    }

    /// The `fraction` quantile in milliseconds (nearest rank).
    func quantile(_ fraction: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let rank = min(samples.count - 1, max(0, Int((fraction * Double(samples.count)).rounded(.up)) - 1))
        return Double(samples[rank]) / 1e6
    }

    var p50: Double { quantile(0.50) }
    var p99: Double { quantile(0.99) }

    /// `run 1  raw librdkafka  min 0.41  p50 1.35 ms  p90 ...  (25000 of 25000 relayed, last +0.4 ms ...; ...)`
    func line(_ label: String, run: Int) -> String {
        let seconds = Double(windowNanoseconds) / 1e9
        return "  run \(run)  " + pad(label, 16)
            + String(
                format: "min %5.2f  p50 %5.2f ms  p90 %5.2f  p99 %6.2f  p99.9 %6.2f  max %6.2f", quantile(0), p50,
                quantile(0.9), p99, quantile(0.999), quantile(1))
            + "  (\(relayed) of \(measured) relayed"
            + String(format: ", last %+.1f ms after its input: ", Double(finishLagNanoseconds) / 1e6)
            + (keepsUp ? "keeps up" : "falls behind")
            + (late > 0 ? ", \(late) sent >1 ms late" : "")
            + String(format: "; cores busy: hop %.2f, broker %.2f", hopCPU / seconds, brokerCPU / seconds)
            + "; idle RSS \(ProcessMemory.megabytes(idleMemory.resident)))"
    }
}

func medianValue(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func rate(_ perSecond: Double) -> String { String(Int(perSecond.rounded())) }

/// `52.6%`
func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return left ? padding + text : text + padding
}

func verdict(_ met: Bool) -> String { met ? "met" : "not met" }
