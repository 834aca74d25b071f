import BenchmarkResults
import Foundation

extension Bench {
    /// The journal part: the hop with the agent running `--journal-effects` journaled effects per
    /// event (0: the plain handler, the agent keeps no journal), against the raw relay, in the
    /// same run; then latency at `--journal-rate` for the first two variants; then the summary:
    /// throughput, time per event, the extra time per effect, and the journal records per event
    /// counted in `<agent>.journal` after each run. Returns the raw relay's runs and the
    /// summary's figures for `make bench`'s table.
    func journalPart() async throws -> (raw: [Throughput], figures: [BenchmarkFigure]) {
        let variants = options.sides.contains(.agent) ? options.journalEffects : []
        // nil: the raw relay.
        let subjects: [Int?] = (options.sides.contains(.raw) ? [nil] : []) + variants.map { $0 }
        func label(_ subject: Int?) -> String { subject.map(AgentSetup.effectsLabel) ?? Side.raw.label }
        func setup(_ effects: Int?) -> AgentSetup { AgentSetup(handler: options.handler, effects: effects ?? 0) }

        var throughputRuns: [Int?: [Throughput]] = [:]
        if options.journalRuns > 0 {
            let events = events(count: options.journalEvents, timestamped: false)
            show(
                "\njournal: the same hop, the agent running "
                    + variants.map(String.init).joined(separator: ", ")
                    + " journaled context.effect(\"lookup\") calls per event (0: the plain handler, no journal)"
                    + "\nthroughput: \(events.count) events per run")
            for run in 1...options.journalRuns {
                for subject in run % 2 == 1 ? subjects : subjects.reversed() {
                    let result = try await throughput(
                        subject == nil ? .raw : .agent, setup: setup(subject), run: run, events: events)
                    throughputRuns[subject, default: []].append(result)
                    show(result.line(label(subject), run: run))
                }
            }
        }

        let compared = Array(variants.prefix(2))
        var latencyRuns: [Int: [Latency]] = [:]
        if options.journalLatencySeconds > 0, !compared.isEmpty {
            let rate = options.journalRate
            let seconds = options.warmupSeconds + options.journalLatencySeconds
            let events = events(count: PacedProducer.eventsNeeded(rate: rate, seconds: seconds), timestamped: true)
            show(
                "\njournal latency at \(rate) events/s offered: \(options.journalLatencySeconds) s measured after "
                    + "\(options.warmupSeconds) s of warm-up")
            for run in 1...options.journalLatencyRuns {
                for effects in run % 2 == 1 ? compared : compared.reversed() {
                    let result = try await latency(
                        .agent, setup: setup(effects), rate: rate, seconds: options.journalLatencySeconds, run: run,
                        events: events)
                    latencyRuns[effects, default: []].append(result)
                    show(result.line(label(effects), run: run))
                }
            }
        }

        show(
            "\njournal summary (" + (options.journalRuns == 1 ? "1 run" : "medians of \(options.journalRuns) runs")
                + "; µs/event = 1 / throughput, per effect its change against the row above; CPU per output)")
        show("  " + pad("", 16) + "  events/s  of raw  µs/event  per effect  hop CPU  broker CPU  journal records/event")
        let rawRate = throughputRuns[nil].map(Throughput.median)
        var previous: (effects: Int, microseconds: Double)?
        var first: (effects: Int, microseconds: Double)?
        var perEffect: [String] = []
        for subject in subjects {
            guard let runs = throughputRuns[subject] else { continue }
            let perSecond = Throughput.median(runs)
            let microseconds = 1e6 / perSecond
            var extra = ""
            if let effects = subject {
                if let previous, effects > previous.effects {
                    let added = (microseconds - previous.microseconds) / Double(effects - previous.effects)
                    extra = String(format: "%+.1f", added)
                    perEffect.append(
                        String(format: "%.1f µs", added) + " (\(label(effects)) against \(label(previous.effects)))")
                }
                previous = (effects, microseconds)
                if first == nil { first = previous }
            }
            let records = runs.compactMap(\.journalRecordsPerEvent).max()
            show(
                "  " + pad(label(subject), 16) + pad(rate(perSecond), 10, left: true)
                    + pad(subject != nil ? rawRate.map { percent(perSecond / $0) } ?? "" : "", 8, left: true)
                    + pad(String(format: "%.1f", microseconds), 10, left: true) + pad(extra, 12, left: true)
                    + pad(String(format: "%.1f", medianValue(runs.map(\.hopMicrosecondsPerEvent))), 9, left: true)
                    + pad(String(format: "%.1f", medianValue(runs.map(\.brokerMicrosecondsPerEvent))), 12, left: true)
                    + pad(subject == nil ? "" : records.map { String(format: "%.2f", $0) } ?? "0", 23, left: true))
        }
        // Across the widest span too: steadier than the steps on a busy machine.
        if perEffect.count > 1, let first, let last = previous, last.effects > first.effects {
            perEffect.insert(
                String(format: "%.1f µs", (last.microseconds - first.microseconds) / Double(last.effects - first.effects))
                    + " on average (\(label(last.effects)) against \(label(first.effects)))", at: 0)
        }
        if !perEffect.isEmpty {
            show("  extra time per effect, from throughput: " + perEffect.joined(separator: "; "))
        }
        if !latencyRuns.isEmpty {
            show("  latency at \(options.journalRate)/s (median of \(options.journalLatencyRuns))")
            for effects in compared {
                guard let runs = latencyRuns[effects] else { continue }
                show(
                    "    " + pad(label(effects), 16)
                        + String(
                            format: "p50 %6.2f ms  p99 %6.2f ms", medianValue(runs.map(\.p50)),
                            medianValue(runs.map(\.p99)))
                        + "  kept up in \(runs.filter(\.keepsUp).count) of \(runs.count) runs")
            }
        }
        if compared.count == 2, compared[0] != compared[1], let base = latencyRuns[compared[0]],
            let journaled = latencyRuns[compared[1]]
        {
            let effects = Double(compared[1] - compared[0])
            let p50 = (medianValue(journaled.map(\.p50)) - medianValue(base.map(\.p50))) / effects
            let p99 = (medianValue(journaled.map(\.p99)) - medianValue(base.map(\.p99))) / effects
            show(String(format: "    extra per effect: p50 %+.2f ms, p99 %+.2f ms", p50, p99))
        }
        var figures: [BenchmarkFigure] = []
        for effects in variants {
            guard let runs = throughputRuns[effects] else { continue }
            figures.append(BenchmarkFigure(
                group: "journal", figure: "throughput, \(label(effects))", value: Throughput.median(runs).rounded(),
                unit: "events/s", better: .higher, baseline: rawRate.map { ("raw librdkafka relay", $0.rounded()) },
                detail: (runs.count == 1 ? "1 run" : "median of \(runs.count) runs") + ", \(options.journalEvents) events"
                    + (runs.compactMap(\.journalRecordsPerEvent).max().map { String(format: ", %.2f journal records/event", $0) } ?? "")))
        }
        // Latency at the journal's rate: the raw relay does not run at it, so each effect variant
        // is compared with the plain handler (the first variant) of the same run.
        let plain = compared.first.flatMap { latencyRuns[$0] }
        for effects in compared {
            guard let runs = latencyRuns[effects] else { continue }
            for (name, quantile) in [("p50", \Latency.p50), ("p99", \Latency.p99)] {
                let baseline = effects == compared.first ? nil : plain.map { runs in
                    (label(compared[0]), medianValue(runs.map { $0[keyPath: quantile] }))
                }
                figures.append(BenchmarkFigure(
                    group: "journal", figure: "latency \(name) at \(options.journalRate)/s, \(label(effects))",
                    value: medianValue(runs.map { $0[keyPath: quantile] }), unit: "ms", better: .lower, baseline: baseline,
                    detail: (runs.count == 1 ? "1 run" : "median of \(runs.count) runs")
                        + ", \(options.journalLatencySeconds) s measured" + (baseline == nil ? "; no raw relay at this rate" : "")))
            }
        }
        return (throughputRuns[nil] ?? [], figures)
    }
}
