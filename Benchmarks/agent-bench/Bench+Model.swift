import AgentBus
import BenchmarkResults
import Foundation

extension Bench {
    /// The model part: the hop's agent asking a model once per event (`context.chat` through
    /// `OpenAICompatibleClient`, journaled) before it publishes, the model stub answering after
    /// `--model-latency-ms`, at each `--model-concurrency`. Throughput against the bound that
    /// latency sets: the handlers running at once (the concurrency, and with the default
    /// ordering one event at a time per partition) divided by the latency; and against the raw
    /// relay's throughput `raw` (measured here when no other part did). Returns the summary's
    /// figures for `make bench`'s table, each against its bound: the raw relay makes no model call.
    func modelPart(raw: [Throughput]) async throws -> [BenchmarkFigure] {
        guard options.sides.contains(.agent) else { return [] }
        var raw = raw
        let stub = try ModelStub(script: options.modelStub, latencyMilliseconds: options.modelLatency)
        defer { stub.stop() }
        let events = events(count: options.modelEvents, timestamped: false)
        show(
            "\nmodel: the same hop, the handler first asking a model once (context.chat, OpenAICompatibleClient) "
                + "served by \(options.modelStub),\nwhich answers every call after \(options.modelLatency) ms; "
                + "\(events.count) events per run")
        if raw.isEmpty, options.sides.contains(.raw) {
            let rawEvents = self.events(count: options.journalEvents, timestamped: false)
            for run in 1...options.modelRuns {
                let result = try await throughput(.raw, setup: AgentSetup(), run: run, events: rawEvents)
                raw.append(result)
                show(result.line(Side.raw.label, run: run))
            }
        }
        var results: [(concurrency: Int?, runs: [Throughput])] = []
        for concurrency in options.modelConcurrency {
            let setup = AgentSetup(handler: options.handler, modelURL: stub.baseURL, concurrency: concurrency)
            var runs: [Throughput] = []
            for run in 1...options.modelRuns {
                let result = try await throughput(.agent, setup: setup, run: run, events: events)
                runs.append(result)
                show(result.line(Self.concurrencyLabel(concurrency), run: run))
            }
            results.append((concurrency, runs))
        }

        let latency = Double(options.modelLatency) / 1000
        show(
            "\nmodel summary (" + (options.modelRuns == 1 ? "1 run" : "medians of \(options.modelRuns) runs")
                + "; bound = handlers at once / model latency, handlers at once = the concurrency, at most one per "
                + "partition (\(benchPartitions)))")
        show(
            "  " + pad("", 16) + "  events/s  bound                of bound  of raw  hop CPU/event  journal records/event")
        let rawRate = raw.isEmpty ? nil : Throughput.median(raw)
        var figures: [BenchmarkFigure] = []
        for (concurrency, runs) in results {
            let perSecond = Throughput.median(runs)
            let atOnce = min(concurrency ?? AgentPolicies().concurrency, benchPartitions)
            let bound = latency > 0 ? Double(atOnce) / latency : .infinity
            show(
                "  " + pad(Self.concurrencyLabel(concurrency), 16) + pad(rate(perSecond), 10, left: true) + "  "
                    + pad("\(atOnce)/\(options.modelLatency) ms = \(rate(bound))/s", 19)
                    + pad(percent(perSecond / bound), 10, left: true)
                    + pad(rawRate.map { String(format: "%.2f%%", perSecond / $0 * 100) } ?? "", 8, left: true)
                    + pad(String(format: "%.0f µs", medianValue(runs.map(\.hopMicrosecondsPerEvent))), 15, left: true)
                    + pad(
                        runs.compactMap(\.journalRecordsPerEvent).max().map { String(format: "%.2f", $0) } ?? "", 23,
                        left: true))
            figures.append(BenchmarkFigure(
                group: "model", figure: "throughput, \(Self.concurrencyLabel(concurrency))", value: perSecond.rounded(),
                unit: "events/s", better: .higher,
                baseline: bound.isFinite ? ("bound: \(atOnce) at once / \(options.modelLatency) ms", bound.rounded()) : nil,
                detail: (runs.count == 1 ? "1 run" : "median of \(runs.count) runs")
                    + ", \(options.modelEvents) events, model stub answering after \(options.modelLatency) ms"
                    + (rawRate.map { String(format: "; %.2f%% of the raw relay's throughput", perSecond / $0 * 100) } ?? "")))
        }
        if let rawRate { show("  the raw relay in this run: \(rate(rawRate)) events/s (median of \(raw.count))") }
        return figures
    }

    /// `concurrency 64` (the agent's own when nil) or `concurrency 8`.
    static func concurrencyLabel(_ concurrency: Int?) -> String {
        "concurrency \(concurrency ?? AgentPolicies().concurrency)"
    }
}
