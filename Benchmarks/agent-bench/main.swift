// agent-bench: one agent hop through the AgentBus runtime, against the same hop written with raw
// librdkafka calls, in one run, each side in a process of its own, the broker in a third.
//
// The hop: consume an event, (agent: decode the envelope, validate the payload, decode it into
// its Swift type, run the handler, encode and validate the output), publish one child event with
// new CloudEvents headers, and store the input's offset once the child is acknowledged.
//
//   throughput  N input events (CloudEvents headers as AgentBus writes them, a CreditChecked
//               payload) are pre-produced to a 24-partition topic; the side under test then
//               relays them to a 24-partition output topic. Once the output topic holds N records
//               the side is stopped and the outputs are read: events/s from the first output's
//               CreateTime to the last (the ~3 s group join is left out).
//   latency     a paced producer offers events at each --rates rate; afterwards the outputs are
//               read and each latency is input send → output CreateTime (set when the hop's
//               producer took the child), for --latency-seconds after a warm-up.
//
// Nothing consumes the output while a side runs (only one ListOffsets request per 50-100 ms
// while nothing is measured), so the single-threaded broker does only the hop's own work; a live
// consumer with a 1 ms fetch wait about doubles that work and set the latency of both sides.
// Both sides use the same librdkafka properties where they apply (linger.ms=0, idempotence,
// fetch.wait.max.ms=1, ...), run alternately, and get a fresh dev-broker process per measurement.
// The broker (the mock cluster, one thread) shares the 2 cores with the hop, as it does for a
// developer running agents against `agentbus dev-broker`; the ratio AgentBus / raw is the figure
// to look at, since whatever the machine does to one side it does to the other.
//
// Run: swift build -c release --product agentbus && swift build -c release --product agent-bench &&
//      .build/release/agent-bench [--events N] [--runs R] [--rates E,...] [--latency-seconds S]

import AgentBus
import CRdKafka
import Foundation
import LoanEvents

struct SideTopics {
    let input: String
    let output: String
    let others: [(String, Int)]

    var all: [(String, Int)] { [(input, benchPartitions), (output, benchPartitions)] + others }
}

struct Bench {
    let options: Options
    let inputType: String
    let inputSchemaID: String
    let payload: [UInt8]
    let topics: [Side: SideTopics]

    init(options: Options) throws {
        self.options = options
        let registry = try SchemaRegistry.load(directory: options.schemas)
        guard let input = registry.eventSchema(for: CreditChecked.eventType),
            let output = registry.eventSchema(for: RiskScored.eventType)
        else { throw BenchError("\(options.schemas) lacks the CreditChecked or RiskScored schema") }
        inputType = input.type
        inputSchemaID = input.id
        payload = Array(input.examples[0].jsonText.utf8)
        guard input.validator.isValid(payload) else { throw BenchError("the CreditChecked example is not valid") }
        let agent = BenchRiskScorer()
        topics = [
            .raw: SideTopics(input: "bench.relay.in", output: "bench.relay.out", others: []),
            .agent: SideTopics(input: input.topic, output: output.topic, others: BenchRiskScorer.runtimeTopics(agent: agent.name)),
        ]
    }

    func events(count: Int, timestamped: Bool) -> PreparedEvents {
        PreparedEvents(
            count: count, type: inputType, dataSchema: inputSchemaID, payload: payload, timestamped: timestamped)
    }

    func startBroker(for side: Side) throws -> DevBroker {
        try DevBroker(
            agentbus: options.agentbus, brokers: options.brokers, topics: topics[side]!.all, schemas: options.schemas)
    }

    func startHop(_ side: Side, broker: DevBroker, instance: String) throws -> HopProcess {
        let topics = topics[side]!
        return try HopProcess(
            HopServer.Arguments(
                side: side, bootstrapServers: broker.bootstrapServers, input: topics.input, output: topics.output,
                schemas: options.schemas, instance: instance, handler: options.handler))
    }

    // MARK: Throughput

    func throughput(_ side: Side, run: Int, events: PreparedEvents) async throws -> Throughput {
        let topics = topics[side]!
        let broker = try startBroker(for: side)
        defer { broker.stop() }
        try preProduce(bootstrapServers: broker.bootstrapServers, topic: topics.input, events: events)
        let progress = try OutputProgress(
            bootstrapServers: broker.bootstrapServers, topic: topics.output, partitions: benchPartitions)
        let hop = try startHop(side, broker: broker, instance: "bench-\(run)")
        var cpu = CPUSamples()
        cpu.record(hop: hop, broker: broker)
        let giveUp = ContinuousClock.now + .seconds(120)
        var outputs = 0
        while outputs < events.count, ContinuousClock.now < giveUp {
            try? await Task.sleep(for: .milliseconds(100))
            cpu.record(hop: hop, broker: broker)
            outputs = try progress.records()
        }
        let memory = hop.memory()
        try hop.stop()
        guard outputs >= events.count else {
            throw BenchError("\(side.label): \(outputs) of \(events.count) outputs within 120 s")
        }
        // At-least-once bookkeeping, checked: once stopped, each side has committed every input.
        let committed = try committedTotal(
            bootstrapServers: broker.bootstrapServers, group: groupID(side), topic: topics.input,
            partitions: benchPartitions)
        let log = try OutputLog.read(
            bootstrapServers: broker.bootstrapServers, topic: topics.output, partitions: benchPartitions,
            count: try progress.records())
        let created = log.records.map(\.createdNanoseconds)
        let first = created.min()!
        let last = created.max()!
        let used = cpu.used(from: UInt64(first), until: UInt64(last))
        return Throughput(
            events: created.count - 1, seconds: Double(last - first) / 1e9, hopCPU: used.hop, brokerCPU: used.broker,
            memory: memory, committed: committed, inputs: events.count)
    }

    /// The consumer group of a side.
    func groupID(_ side: Side) -> String {
        switch side {
        case .raw: RunningSide.rawGroup
        case .agent: BenchRiskScorer().name
        }
    }

    // MARK: Latency

    func latency(_ side: Side, rate: Int, run: Int, events: PreparedEvents) async throws -> Latency {
        let topics = topics[side]!
        let broker = try startBroker(for: side)
        defer { broker.stop() }
        let progress = try OutputProgress(
            bootstrapServers: broker.bootstrapServers, topic: topics.output, partitions: benchPartitions)
        let hop = try startHop(side, broker: broker, instance: "bench-latency-\(run)")
        let producer: PacedProducer
        do {
            producer = try PacedProducer(
                bootstrapServers: broker.bootstrapServers, topic: topics.input, events: events, rate: rate,
                warmupSeconds: options.warmupSeconds, seconds: options.latencySeconds, progress: progress)
        } catch {
            try? hop.stop()
            throw error
        }

        // Idle memory between the first relayed probe and the paced load; CPU over the measured
        // window, sampled when it opens and closes.
        var idleMemory = ProcessMemory()
        var cpuFrom: (hop: Double, broker: Double)?
        var cpuUntil: (hop: Double, broker: Double)?
        while !producer.finished.load(ordering: .acquiring) {
            if producer.working.load(ordering: .acquiring), !producer.proceed.load(ordering: .relaxed) {
                idleMemory = hop.memory()
                producer.proceed.store(true, ordering: .releasing)
            }
            if cpuFrom == nil, producer.measuring.load(ordering: .acquiring) {
                cpuFrom = (hop.cpuSeconds(), broker.cpuSeconds())
            }
            if cpuUntil == nil, producer.measured.load(ordering: .acquiring) {
                cpuUntil = (hop.cpuSeconds(), broker.cpuSeconds())
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        if let failure = producer.failure {
            try? hop.stop()
            throw BenchError("\(side.label): \(failure)")
        }
        let window = producer.window
        let drainUntil = ContinuousClock.now + .seconds(10)
        while try progress.records() < window.sent, ContinuousClock.now < drainUntil {
            try? await Task.sleep(for: .milliseconds(50))
        }
        try hop.stop()
        let log = try OutputLog.read(
            bootstrapServers: broker.bootstrapServers, topic: topics.output, partitions: benchPartitions,
            count: try progress.records())
        var samples: [Int64] = []
        samples.reserveCapacity(window.measured)
        var lastCreated = Int64.min
        for record in log.records where window.contains(sentNanoseconds: record.inputSentNanoseconds) {
            samples.append(record.latencyNanoseconds)
            lastCreated = max(lastCreated, record.createdNanoseconds)
        }
        let start = cpuFrom ?? (0, 0)
        let end = cpuUntil ?? start
        return Latency(
            rate: rate, samples: samples, window: window, lastCreated: lastCreated, late: window.late,
            hopCPU: end.hop - start.hop, brokerCPU: end.broker - start.broker, idleMemory: idleMemory)
    }

    // MARK: Report

    var handlerDescription: String {
        switch options.handler {
        case .typed: "a typed handler (CreditChecked -> RiskScored)"
        case .nolog: "a typed handler (CreditChecked -> RiskScored) without its context.logger line"
        case .untyped: "an untyped handler publishing a fixed RiskScored (--handler untyped)"
        }
    }

    func printHeader(sample: PreparedEvents) {
        let recordBytes = sample.keyLength + sample.payload.count + sample.headerBytes
        print(
            """
            agent-bench: one agent hop, AgentBus against a raw librdkafka \(String(cString: rd_kafka_version_str())) relay
              broker     `agentbus dev-broker --brokers \(options.brokers)` (the embedded mock cluster) in its own process,
                         a fresh one per measurement; it shares the machine's \(ProcessInfo.processInfo.activeProcessorCount) cores with the hop
              events     \(sample.type): \(sample.payload.count) B payload, \(sample.keyLength) B key, \
            \(sample.headerNames.count) CloudEvents headers (\(sample.headerBytes) B); \(recordBytes) B a record
              topics     \(benchPartitions) partitions in, \(benchPartitions) out; both sides: linger.ms=0 \
            enable.idempotence=true acks=all fetch.wait.max.ms=1
              raw        rd_kafka_consumer_poll -> child headers (new ce_id, ce_causationid, traceparent span) ->
                         rd_kafka_produceva; offset+1 stored in the delivery report; no JSON, no schema
              agent      AgentRuntime.run(), \(handlerDescription):
                         envelope, input validation, \(options.handler == .untyped ? "" : "typed decode, ")handler, \
            \(options.handler == .untyped ? "" : "typed encode, ")output validation,
                         publish, activity record, offset stored after the acknowledgements
              processes  each side runs alone in a child process (`agent-bench serve raw|agent`): its CPU and
                         memory (VmRSS, VmHWM) are its own
              timing     no consumer reads the output while a side runs; afterwards each output's CreateTime
                         (whole ms, taken as the middle of its ms: each figure within +-0.5 ms) against its
                         input's send time carried in ce_correlationid

            """)
    }
}

// MARK: Main

/// Prints a line and flushes it: `make bench` output is often piped, and a run takes seconds.
func show(_ line: String) {
    print(line)
    fflush(nil)
}

if CommandLine.arguments.dropFirst().first == HopServer.command {
    await HopServer.run(Array(CommandLine.arguments.dropFirst(2)))
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
do {
    let bench = try Bench(options: options)
    let throughputEvents = options.runs > 0 ? bench.events(count: options.events, timestamped: false) : nil
    let latencyEvents = options.latencySeconds > 0
        ? bench.events(
            count: PacedProducer.eventsNeeded(
                rate: options.rates.max()!, seconds: options.warmupSeconds + options.latencySeconds),
            timestamped: true) : nil
    bench.printHeader(sample: throughputEvents ?? latencyEvents ?? bench.events(count: 1, timestamped: false))

    var throughput: [Side: [Throughput]] = [:]
    if let events = throughputEvents {
        show("throughput: \(events.count) events per run; each run first waits ~3 s for its group to form")
        for run in 1...options.runs {
            // Alternate which side goes first, so a drift in the machine's speed favours neither.
            for side in run % 2 == 1 ? options.sides : options.sides.reversed() {
                let result = try await bench.throughput(side, run: run, events: events)
                throughput[side, default: []].append(result)
                show(result.line(side, run: run))
            }
        }
    }

    var latency: [Int: [Side: [Latency]]] = [:]
    if let events = latencyEvents {
        for rate in options.rates {
            show(
                "\nlatency at \(rate) events/s offered: \(options.latencySeconds) s measured after "
                    + "\(options.warmupSeconds) s of warm-up; input send -> output created by the hop")
            for run in 1...options.latencyRuns {
                for side in run % 2 == 1 ? options.sides : options.sides.reversed() {
                    let result = try await bench.latency(side, rate: rate, run: run, events: events)
                    latency[rate, default: [:]][side, default: []].append(result)
                    show(result.line(side, run: run))
                }
            }
        }
    }

    show("\nsummary (MB = 10^6 bytes)")
    var goals: [(String, Bool?, String)] = []
    if let raw = throughput[.raw], let agent = throughput[.agent] {
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
        for (side, runs) in throughput.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            show("  throughput (best of \(runs.count))  \(side.label) \(rate(Throughput.best(runs))) events/s")
        }
    }
    for rate in options.rates {
        guard let runs = latency[rate] else { continue }
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
    if let runs = latency[Options.latencyGoalRate], let agent = runs[.agent] {
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
    if let agent = latency[Options.keepUpGoalRate]?[.agent] {
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
    let idle = latency.values.compactMap { $0[.agent] }.joined().map(\.idleMemory.resident).max()
    goals.append((
        "agent RSS idle <= 20 MB (worst run)", idle.map { $0 <= 20_000_000 },
        idle.map(ProcessMemory.megabytes) ?? "not measured"))
    let peak = throughput[.agent]?.map(\.memory.peakResident).max()
    goals.append((
        "agent peak RSS under the throughput run <= 80 MB (VmHWM, worst run)", peak.map { $0 <= 80_000_000 },
        peak.map(ProcessMemory.megabytes) ?? "not measured"))
    show("\ngoals")
    for (goal, met, figure) in goals {
        show("  " + pad(met.map(verdict) ?? "not measured", 13) + goal + ": " + figure)
    }
} catch {
    printError("agent-bench: \(error)")
    exit(1)
}
