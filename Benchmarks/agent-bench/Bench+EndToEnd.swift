import AgentBus
import BenchmarkResults
import Foundation

extension Bench {
    /// The end-to-end part: the example loan system (``ExampleSystem``) from application to
    /// notification at each `--e2e-rates` rate, against a chain of as many raw relays as its
    /// critical path has hops (``RelayChain``), offered the same applications at the same rates.
    ///
    /// Each series (one side at one rate, the raw chain first) gets a fresh dev-broker, started
    /// ahead of time and idle until then, and a freshly started side: the embedded cluster finds
    /// a fetch's offset by walking the partition's batches, so a longer log is slower to read,
    /// and no series inherits another's.
    /// A paced producer sends probes until the side's last topic holds a record, then paces the
    /// rate for the warm-up and the measured seconds; then the benchmark waits up to
    /// `--e2e-drain-seconds` for the workflows to end. Nothing reads the last topic meanwhile; once
    /// the side has stopped, every record there is read and its CreateTime compared with its
    /// application's send time, carried in the correlation ID. Returns the summary's figures.
    func endToEndPart() async throws -> [BenchmarkFigure] {
        let registry = try SchemaRegistry.load(directory: options.schemas)
        guard let submitted = registry.eventSchema(for: ExampleSystem.submittedType),
            let notified = registry.eventSchema(for: ExampleSystem.notifiedType)
        else { throw BenchError("\(options.schemas) lacks the application.submitted or notification.sent schema") }
        let sample = Self.application(0)
        guard submitted.validator.isValid(sample) else { throw BenchError("the benchmark's application is not valid") }
        let hops = ExampleSystem.criticalPath.count
        show(
            """

            e2e: the example loan system as processes (\(ExampleSystem.agents.map { $0.instances == 1 ? $0.name : "\($0.name) x\($0.instances)" }.joined(separator: ", ")),
                 the supervisor; the explainer asks the model stub), every simulated latency 0, from each application
                 (\(sample.count) B, with documents: all three checks) on \(submitted.topic) to its notification on \(notified.topic);
                 its critical path has \(hops) hops (\(ExampleSystem.criticalPath.joined(separator: ", "))), so the baseline chains \(hops) raw relays.
                 A fresh dev-broker (\(options.brokers) broker) and side per series; \(options.e2ePartitions) partitions a topic; \
            fetch.wait.max.ms=\(options.e2eFetchWait) on both sides.
                 Series: \(options.e2eRates.indices.map { "\(options.e2eSeconds(at: $0)) s at \(options.e2eRates[$0])/s" }.joined(separator: ", ")), \
            each after \(options.e2eWarmupSeconds) s of warm-up
            """)
        // Every series' broker is started now (idle until its series), so that none waits for
        // its topics to be created; each is stopped when its series ends.
        let plan = options.e2eRates.indices.flatMap { index in options.sides.map { (index, $0) } }
        var brokers: [DevBroker] = []
        defer { for broker in brokers { broker.stop() } }
        for (_, side) in plan { brokers.append(try endToEndBroker(side)) }
        var series: [Side: [WorkflowSeries]] = [:]
        for ((index, side), broker) in zip(plan, brokers) {
            try broker.waitForBootstrap()
            series[side, default: []].append(
                try await endToEndSeries(
                    side, broker: broker, rate: options.e2eRates[index], seconds: options.e2eSeconds(at: index),
                    series: index, submitted: submitted, notified: notified))
            broker.stop()
        }

        show("\ne2e summary (application sent -> notification created; 1 run each)")
        let chainName = "raw librdkafka chain of \(hops) relays"
        var figures: [BenchmarkFigure] = []
        for (index, rate) in options.e2eRates.enumerated() {
            let agent = series[.agent]?[index]
            let raw = series[.raw]?[index]
            if let agent, let raw {
                show(
                    "  \(pad(Self.rateLabel(rate) + "/s", 8)) p50 \(String(format: "%.2f", agent.latency.p50)) ms "
                        + "(raw \(String(format: "%.2f", raw.latency.p50)), \(String(format: "%.1f", agent.latency.p50 / raw.latency.p50))x)  "
                        + "p99 \(String(format: "%.2f", agent.latency.p99)) ms "
                        + "(raw \(String(format: "%.2f", raw.latency.p99)), \(String(format: "%.1f", agent.latency.p99 / raw.latency.p99))x)  "
                        + "completed \(agent.latency.relayed) of \(agent.latency.measured) "
                        + "(raw \(raw.latency.relayed) of \(raw.latency.measured))")
            }
            guard let agent else { continue }
            let detail = endToEndDetail(agent: agent, raw: raw, seconds: options.e2eSeconds(at: index), hops: hops)
            let label = "at \(Self.rateLabel(rate)) workflows/s"
            figures.append(BenchmarkFigure(
                group: "e2e", figure: "workflow latency p50 \(label)", value: Self.milliseconds(agent.latency.p50),
                unit: "ms", better: .lower, baseline: raw.map { (chainName, Self.milliseconds($0.latency.p50)) },
                detail: detail))
            figures.append(BenchmarkFigure(
                group: "e2e", figure: "workflow latency p99 \(label)", value: Self.milliseconds(agent.latency.p99),
                unit: "ms", better: .lower, baseline: raw.map { (chainName, Self.milliseconds($0.latency.p99)) },
                detail: detail))
            figures.append(BenchmarkFigure(
                group: "e2e", figure: "completed \(label) offered",
                value: agent.achievedPerSecond.rounded(), unit: "workflows/s", better: .higher,
                baseline: raw.map { (chainName, $0.achievedPerSecond.rounded()) }, detail: detail))
        }
        return figures
    }

    /// How the e2e figures of one rate were measured, for the results file.
    private func endToEndDetail(agent: WorkflowSeries, raw: WorkflowSeries?, seconds: Int, hops: Int) -> String {
        func outcome(_ series: WorkflowSeries) -> String {
            "\(series.latency.relayed) of \(series.latency.measured) completed ("
                + (series.latency.keepsUp ? "keeps up" : "falls behind")
                + String(format: ", achieved %.0f/s", series.achievedPerSecond) + "), load \(series.loadAverage)"
        }
        return "application sent -> notification created (CreateTime, each +-0.5 ms), \(seconds) s measured after "
            + "\(options.e2eWarmupSeconds) s warm-up, completed = notified within \(options.e2eDrainSeconds) s after the "
            + "window, 1 run; the example system as processes (\(ExampleSystem.agents.count) agents, credit-check x2, "
            + "supervisor, explainer asking a model stub), every simulated latency 0, every application with documents "
            + "(three checks); critical path \(hops) hops (\(ExampleSystem.criticalPath.joined(separator: ", "))) against "
            + "\(hops) chained raw relays; fresh dev-broker (\(options.brokers) broker) and side per series, "
            + "\(options.e2ePartitions) partitions a topic, "
            + "fetch.wait.max.ms=\(options.e2eFetchWait) both; AgentBus: \(outcome(agent))"
            + (raw.map { "; raw: \(outcome($0))" } ?? "")
    }

    /// A dev-broker for one series of `side`, started without waiting for it: the chain's topics,
    /// or the example agents' own.
    private func endToEndBroker(_ side: Side) throws -> DevBroker {
        try DevBroker(
            agentbus: options.agentbus, brokers: options.brokers,
            topics: side == .raw
                ? RelayChain.topics(hops: ExampleSystem.criticalPath.count, partitions: options.e2ePartitions) : [],
            schemas: options.schemas, agents: side == .agent ? ExampleSystem.agents.map(\.name) : [],
            catalogPartitions: options.e2ePartitions, waiting: false)
    }

    /// One series: `side` started on `broker` (a fresh one), offered `rate` applications a second
    /// (after the probes and the warm-up) for `seconds`, then stopped and its last topic read.
    private func endToEndSeries(
        _ side: Side, broker: DevBroker, rate: Int, seconds: Int, series: Int, submitted: EventSchema,
        notified: EventSchema
    ) async throws -> WorkflowSeries {
        let hops = ExampleSystem.criticalPath.count
        let partitions = options.e2ePartitions
        // Built before the side starts: preparing them takes a core for a moment.
        let events = Self.applications(
            count: PacedProducer.eventsNeeded(rate: rate, seconds: options.e2eWarmupSeconds + seconds), series: series,
            schema: submitted)

        var system: ExampleSystem?
        var chain: RelayChain?
        let input: String
        let output: String
        switch side {
        case .agent:
            let launched = try ExampleSystem(
                executables: options.examples, broker: broker, schemas: options.schemas, modelStub: options.modelStub,
                fetchWaitMilliseconds: options.e2eFetchWait)
            system = launched
            do { try await launched.waitUntilJoined(seconds: 120) } catch {
                try? launched.stop()
                throw error
            }
            (input, output) = (submitted.topic, notified.topic)
        case .raw:
            let launched = try RelayChain(hops: hops, broker: broker, fetchWaitMilliseconds: options.e2eFetchWait)
            chain = launched
            (input, output) = (launched.inputTopic, launched.outputTopic)
        }
        let label = side == .agent ? "example system" : "raw chain"
        func cpuSeconds() -> Double { system?.cpuSeconds() ?? chain?.cpuSeconds() ?? 0 }
        func stopSide() throws {
            try system?.stop()
            try chain?.stop()
        }

        let progress: OutputProgress
        let window: PacedProducer.Window
        var from: (side: Double, broker: Double)?
        var until: (side: Double, broker: Double)?
        var byInstance: (from: [String: Double], until: [String: Double]) = ([:], [:])
        var load = "?"
        do {
            progress = try OutputProgress(bootstrapServers: broker.bootstrapServers, topic: output, partitions: partitions)
            let producer = try PacedProducer(
                bootstrapServers: broker.bootstrapServers, topic: input, events: events, rate: rate,
                warmupSeconds: options.e2eWarmupSeconds, seconds: seconds, progress: progress)
            while !producer.finished.load(ordering: .acquiring) {
                if producer.working.load(ordering: .acquiring) { producer.proceed.store(true, ordering: .releasing) }
                if from == nil, producer.measuring.load(ordering: .acquiring) {
                    from = (cpuSeconds(), broker.cpuSeconds())
                    byInstance.from = system?.cpuSecondsByInstance() ?? [:]
                }
                if until == nil, producer.measured.load(ordering: .acquiring) {
                    until = (cpuSeconds(), broker.cpuSeconds())
                    byInstance.until = system?.cpuSecondsByInstance() ?? [:]
                    load = WorkflowSeries.currentLoadAverage()
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
            if let failure = producer.failure { throw BenchError("\(label) at \(rate)/s: \(failure)") }
            if until == nil {  // the window closed and the producer flushed between two looks
                until = (cpuSeconds(), broker.cpuSeconds())
                byInstance.until = system?.cpuSecondsByInstance() ?? [:]
                load = WorkflowSeries.currentLoadAverage()
            }
            window = producer.window
            // Every application (probes and warm-up included) ends with one record there.
            let drainUntil = ContinuousClock.now + .seconds(options.e2eDrainSeconds)
            while try progress.records() < window.sent, ContinuousClock.now < drainUntil {
                try? await Task.sleep(for: .milliseconds(50))
            }
        } catch {
            try? stopSide()
            throw error
        }
        try stopSide()

        // Every record must still be there: the embedded cluster drops a partition's oldest beyond 5 MiB.
        let written = try progress.records()
        let kept = try storedMessageCount(bootstrapServers: broker.bootstrapServers, topic: output, partitions: partitions)
        guard kept == written else {
            throw BenchError(
                "\(output) kept \(kept) of its \(written) records (the embedded cluster keeps 5 MiB a partition): "
                    + "use more --e2e-partitions or shorter series")
        }
        // The earliest record per application of the window (an at-least-once redelivery counts once).
        let log = try OutputLog.read(
            bootstrapServers: broker.bootstrapServers, topic: output, partitions: partitions, count: written)
        var created: [UInt64: Int64] = [:]
        for record in log.records where window.contains(sentNanoseconds: record.inputSentNanoseconds) {
            created[record.inputSentNanoseconds] = min(
                created[record.inputSentNanoseconds] ?? .max, record.createdNanoseconds)
        }
        let start = from ?? (0, 0)
        let end = until ?? start
        let opened = Int64(window.firstSent)
        let ended = max(Int64(window.lastSent), log.records.map(\.createdNanoseconds).max() ?? 0)
        let completedSinceOpened = log.records.count { $0.createdNanoseconds >= opened }
        let result = WorkflowSeries(
            latency: Latency(
                rate: rate, samples: created.map { $0.value - Int64(bitPattern: $0.key) }, window: window,
                lastCreated: created.values.max() ?? .min, late: window.late, hopCPU: end.side - start.side,
                brokerCPU: end.broker - start.broker, idleMemory: ProcessMemory()),
            achievedPerSecond: ended > opened ? Double(completedSinceOpened) / (Double(ended - opened) / 1e9) : .nan,
            loadAverage: load)
        show(result.line(label))
        let windowSeconds = Double(window.lastSent - window.firstSent) / 1e9
        if system != nil, windowSeconds > 0 {
            let busiest = byInstance.until.map { ($0.key, ($0.value - (byInstance.from[$0.key] ?? 0)) / windowSeconds) }
                .sorted { $0.1 > $1.1 }.prefix(5)
            show("    busiest: " + busiest.map { "\($0.0) " + String(format: "%.2f", $0.1) }.joined(separator: ", ") + " cores")
        }
        return result
    }

    /// `count` applications of series `series` as ``PreparedEvents`` (timestamped): each with its
    /// own application and applicant IDs, so they spread over the partitions as real ones do.
    static func applications(count: Int, series: Int, schema: EventSchema) -> PreparedEvents {
        PreparedEvents(
            count: count, type: schema.type, dataSchema: schema.id, payload: application(0), timestamped: true,
            payloads: { application(series * 1_000_000 + $0) })
    }

    /// Application `number`: valid, for 25,000 EUR (within the decision agent's authority, so it
    /// ends with a notification and never waits for a person), submitted on the web (so the fraud
    /// check applies) with an ID document and a payslip (so document extraction does). IDs of
    /// fixed width, so every application has the same length.
    static func application(_ number: Int) -> [UInt8] {
        let id = String(100_000 + number % 900_000)
        let applicant = String(100_000 + (number &* 7_919) % 900_000)
        return Array(
            """
            {"applicationId": "app-\(id)", "applicantId": "CUS-\(applicant)", \
            "applicant": {"name": "Bench Applicant", "email": "bench.applicant@example.com", "dateOfBirth": "1985-02-11"}, \
            "amount": 25000, "currency": "EUR", "termMonths": 60, "purpose": "car", \
            "submittedAt": "2026-12-01T09:00:00.000Z", "channel": "web", \
            "documents": [{"kind": "id", "documentId": "bb17a962-67c7-45ce-874e-ba82c5bb7290"}, \
            {"kind": "payslip", "documentId": "2d82c302-e134-4b9f-b56c-43664dee606d"}]}
            """.utf8)
    }

    /// `100`, `1,000`
    static func rateLabel(_ rate: Int) -> String {
        rate >= 1_000 ? "\(rate / 1_000),\(String(format: "%03d", rate % 1_000))" : String(rate)
    }

    /// Milliseconds to two decimals (the figures are whole-millisecond CreateTimes, ±0.5 ms).
    static func milliseconds(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
