import Foundation

/// One series of the end-to-end part: applications offered at a fixed rate to one side (the
/// example system, or the chain of raw relays), each latency from an application's send to the
/// CreateTime of its notification (or of the chain's last output), for the applications sent in
/// the measured window.
struct WorkflowSeries {
    /// Samples, counts and CPU as the hop's latency runs keep them (`relayed`: workflows completed).
    let latency: Latency
    /// Workflows completed per second from the window's first application until the last
    /// workflow ended: the notifications (or the chain's last outputs) created meanwhile,
    /// whichever workflow they end (warm-up ones included), over that time. The offered rate when
    /// the side keeps up; when it falls behind, what it manages working through its backlog all
    /// that time.
    let achievedPerSecond: Double
    /// The 1-minute load average when the window closed.
    let loadAverage: String

    var rate: Int { latency.rate }

    /// `p50 41.2 ms  p90 ...  (2000 of 2000 completed, last +12 ms after its application: keeps up; ...)`
    func line(_ label: String) -> String {
        let seconds = Double(latency.windowNanoseconds) / 1e9
        return "  " + pad(label, 16) + pad("\(rate)/s", 8)
            + String(
                format: "min %6.2f  p50 %6.2f ms  p90 %6.2f  p99 %7.2f  max %7.2f", latency.quantile(0), latency.p50,
                latency.quantile(0.9), latency.p99, latency.quantile(1))
            + "  (\(latency.relayed) of \(latency.measured) completed"
            + (latency.relayed > 0
                ? String(format: ", last %+.0f ms after its application: ", Double(latency.finishLagNanoseconds) / 1e6)
                    + (latency.keepsUp ? "keeps up" : "falls behind") : "")
            + String(format: "; achieved %.0f/s", achievedPerSecond)
            + (latency.late > 0 ? ", \(latency.late) sent >1 ms late" : "")
            + String(
                format: "; cores busy: processes %.2f, broker %.2f", latency.hopCPU / seconds, latency.brokerCPU / seconds)
            + "; load \(loadAverage))"
    }

    /// The 1-minute load average, from /proc/loadavg; `?` when unreadable.
    static func currentLoadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").first.map(String.init) ?? "?"
    }
}
