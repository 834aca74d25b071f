import BenchmarkResults
import Foundation

extension Bench {
    /// The hop part: the agent (``hopSetup``) against the raw relay, throughput and latency at
    /// each `--rates` rate, then the summary and the goals. Returns the raw relay's throughput
    /// runs, which the model part compares with, and the summary's figures for `make bench`'s table.
    func hopPart(
        throughputEvents: PreparedEvents?, latencyEvents: PreparedEvents?
    ) async throws -> (raw: [Throughput], figures: [BenchmarkFigure]) {
        var throughputRuns: [Side: [Throughput]] = [:]
        if let events = throughputEvents {
            show("throughput: \(events.count) events per run; each run first waits ~3 s for its group to form")
            for run in 1...options.runs {
                // Alternate which side goes first, so a drift in the machine's speed favours neither.
                for side in run % 2 == 1 ? options.sides : options.sides.reversed() {
                    let result = try await throughput(side, setup: hopSetup, run: run, events: events)
                    throughputRuns[side, default: []].append(result)
                    show(result.line(side.label, run: run))
                }
            }
        }

        var latencyRuns: [Int: [Side: [Latency]]] = [:]
        if let events = latencyEvents {
            for rate in options.rates {
                show(
                    "\nlatency at \(rate) events/s offered: \(options.latencySeconds) s measured after "
                        + "\(options.warmupSeconds) s of warm-up; input send -> output created by the hop")
                for run in 1...options.latencyRuns {
                    for side in run % 2 == 1 ? options.sides : options.sides.reversed() {
                        let result = try await latency(
                            side, setup: hopSetup, rate: rate, seconds: options.latencySeconds, run: run, events: events)
                        latencyRuns[rate, default: [:]][side, default: []].append(result)
                        show(result.line(side.label, run: run))
                    }
                }
            }
        }

        show("\nsummary (MB = 10^6 bytes)")
        var goals: [(String, Bool?, String)] = []
        if let raw = throughputRuns[.raw], let agent = throughputRuns[.agent] {
            for (name, statistic) in [("best", Throughput.best), ("median", Throughput.median)] {
                let a = statistic(agent)
                let r = statistic(raw)
                show(
                    "  throughput (\(name) of \(options.runs))  agent " + pad(rate(a), 7, left: true) + " events/s  raw "
                        + pad(rate(r), 7, left: true) + " events/s  ratio " + percent(r > 0 ? a / r : 0))
            }
            let ratio = Throughput.median(agent) / max(1, Throughput.median(raw))
            goals.append(("throughput of one hop >= 60% of the raw relay's (medians)", ratio >= 0.6, percent(ratio)))
        } else {
            for (side, runs) in throughputRuns.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                show("  throughput (best of \(runs.count))  \(side.label) \(rate(Throughput.best(runs))) events/s")
            }
        }
        for rate in options.rates {
            guard let runs = latencyRuns[rate] else { continue }
            show("  latency at \(rate)/s (median of \(options.latencyRuns) runs)")
            for side in options.sides {
                guard let results = runs[side] else { continue }
                let keeping = results.filter(\.keepsUp).count
                show(
                    "    " + pad(side.label, 16)
                        + String(
                            format: "p50 %6.2f ms  p99 %6.2f ms  (worst run: p50 %.2f, p99 %.2f)",
                            medianValue(results.map(\.p50)), medianValue(results.map(\.p99)),
                            results.map(\.p50).max()!, results.map(\.p99).max()!)
                        + "  kept up in \(keeping) of \(results.count) runs")
            }
        }
        if let runs = latencyRuns[Options.latencyGoalRate], let agent = runs[.agent] {
            let p50 = medianValue(agent.map(\.p50))
            let p99 = medianValue(agent.map(\.p99))
            if let raw = runs[.raw] {
                let difference = p50 - medianValue(raw.map(\.p50))
                goals.append(("at 2,000/s the agent's p50 within 0.5 ms of the relay's", difference <= 0.5,
                    String(format: "%+.2f ms", difference)))
            } else {
                goals.append(("at 2,000/s the agent's p50 within 0.5 ms of the relay's", nil, "the relay was not measured"))
            }
            goals.append(("at 2,000/s the agent's p99 under 10 ms", p99 < 10, String(format: "%.2f ms", p99)))
        } else {
            goals.append(("latency at 2,000/s", nil, "not measured (--rates)"))
        }
        if let agent = latencyRuns[Options.keepUpGoalRate]?[.agent] {
            let keeping = agent.filter(\.keepsUp).count
            let worstLag = agent.map(\.finishLagNanoseconds).max()!
            goals.append((
                "at 5,000/s the agent keeps up in every run (all relayed, last output within "
                    + "\(Int(Latency.keepUpMargin * 100))% of the window after the last input)",
                keeping == agent.count,
                "\(keeping) of \(agent.count) runs; worst lag " + String(format: "%.1f ms", Double(worstLag) / 1e6)))
        } else {
            goals.append(("keeping up at 5,000/s", nil, "not measured (--rates)"))
        }
        let idle = latencyRuns.values.compactMap { $0[.agent] }.joined().map(\.idleMemory.resident).max()
        goals.append((
            "agent RSS idle <= 20 MB (worst run)", idle.map { $0 <= 20_000_000 },
            idle.map(ProcessMemory.megabytes) ?? "not measured"))
        let peak = throughputRuns[.agent]?.map(\.memory.peakResident).max()
        goals.append((
            "agent peak RSS under the throughput run <= 80 MB (VmHWM, worst run)", peak.map { $0 <= 80_000_000 },
            peak.map(ProcessMemory.megabytes) ?? "not measured"))
        show("\ngoals")
        for (goal, met, figure) in goals {
            show("  " + pad(met.map(verdict) ?? "not measured", 13) + goal + ": " + figure)
        }
        return (
            throughputRuns[.raw] ?? [],
            hopFigures(throughputRuns: throughputRuns, latencyRuns: latencyRuns, events: throughputEvents?.count ?? 0)
        )
    }

    /// The summary as figures, each AgentBus side's against the raw relay's from the same run:
    /// throughput and p50/p99 at each rate (medians), and the memory of the agent process.
    func hopFigures(
        throughputRuns: [Side: [Throughput]], latencyRuns: [Int: [Side: [Latency]]], events: Int
    ) -> [BenchmarkFigure] {
        let relay = "raw librdkafka relay"
        var figures: [BenchmarkFigure] = []
        if let agent = throughputRuns[.agent] {
            figures.append(BenchmarkFigure(
                group: "hop", figure: "throughput", value: Throughput.median(agent).rounded(), unit: "events/s",
                better: .higher, baseline: throughputRuns[.raw].map { (relay, Throughput.median($0).rounded()) },
                detail: (agent.count == 1 ? "1 run" : "median of \(agent.count) runs") + ", \(events) events, 24 partitions, dev-broker in its own process"))
        }
        for rate in options.rates {
            guard let agent = latencyRuns[rate]?[.agent] else { continue }
            let raw = latencyRuns[rate]?[.raw]
            let detail = (agent.count == 1 ? "1 run" : "median of \(agent.count) runs") + ", \(options.latencySeconds) s at \(rate)/s offered, "
                + "input send to output CreateTime (±0.5 ms)"
            for (name, quantile) in [("p50", \Latency.p50), ("p99", \Latency.p99)] {
                figures.append(BenchmarkFigure(
                    group: "hop", figure: "latency \(name) at \(rate)/s", value: medianValue(agent.map { $0[keyPath: quantile] }),
                    unit: "ms", better: .lower, baseline: raw.map { (relay, medianValue($0.map { $0[keyPath: quantile] })) },
                    detail: detail))
            }
        }
        // Memory: the worst run of each side; MB = 10^6 bytes.
        func megabytes(_ bytes: Int?) -> Double? { bytes.map { (Double($0) / 1e5).rounded() / 10 } }
        let idle = { (side: Side) in latencyRuns.values.compactMap { $0[side] }.joined().map(\.idleMemory.resident).max() }
        if let agentIdle = megabytes(idle(.agent)) {
            figures.append(BenchmarkFigure(
                group: "memory", figure: "agent RSS idle (after its first event)", value: agentIdle, unit: "MB",
                better: .lower, baseline: megabytes(idle(.raw)).map { (relay, $0) },
                detail: "VmRSS, worst of the latency runs, before the paced load"))
        }
        let peak = { (side: Side) in throughputRuns[side]?.map(\.memory.peakResident).max() }
        if let agentPeak = megabytes(peak(.agent)) {
            figures.append(BenchmarkFigure(
                group: "memory", figure: "agent peak RSS under the throughput run", value: agentPeak, unit: "MB",
                better: .lower, baseline: megabytes(peak(.raw)).map { (relay, $0) },
                detail: "VmHWM, worst of the throughput runs (\(events) events of backlog)"))
        }
        return figures
    }
}
