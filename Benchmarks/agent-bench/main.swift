// agent-bench: one agent hop through the AgentBus runtime, against the same hop written with raw
// librdkafka calls, in one process and one run, with the broker in a process of its own.
//
// The hop: consume an event, (agent: decode the envelope, validate the payload, decode it into
// its Swift type, run the handler, encode and validate the output), publish one child event with
// new CloudEvents headers, and store the input's offset once the child is acknowledged.
//
//   throughput  N input events (CloudEvents headers as AgentBus writes them, a CreditChecked
//               payload) are pre-produced to a 24-partition topic; the side under test then
//               relays them to a 24-partition output topic, where a separate consumer times the
//               first output to the N-th (the ~3 s group join is left out).
//   latency     a paced producer offers events at --rate; the separate consumer measures the time
//               from each input's send to its output being seen, for --latency-seconds after a
//               warm-up.
//
// Both sides use the same librdkafka properties where they apply (linger.ms=0, idempotence,
// fetch.wait.max.ms=1, ...), run alternately, and get a fresh dev-broker process per measurement.
// The broker (the mock cluster, one thread) shares the 2 cores with the benchmark, as it does for
// a developer running agents against `agentbus dev-broker`; the ratio AgentBus / raw is the figure
// to look at, since whatever the machine does to one side it does to the other.
//
// Run: swift build -c release --product agentbus && swift build -c release --product agent-bench &&
//      .build/release/agent-bench [--events N] [--runs R] [--rate E] [--latency-seconds S]

import AgentBus
import CRdKafka
import Foundation
import LoanEvents

/// A side running against a broker: the raw relay or the agent.
enum RunningSide {
    static let rawGroup = "raw-relay"

    case raw(RawRelay)
    case agent(RunningAgent)

    static func start(
        _ side: Side, bootstrapServers: String, topics: SideTopics, options: Options, run: Int
    ) throws -> RunningSide {
        switch side {
        case .raw:
            .raw(
                try RawRelay(
                    bootstrapServers: bootstrapServers, inputTopic: topics.input, outputTopic: topics.output,
                    groupID: rawGroup))
        case .agent:
            .agent(
                try RunningAgent(
                    bootstrapServers: bootstrapServers, schemas: options.schemas, instance: "bench-\(run)",
                    variant: options.handler))
        }
    }

    func stop() async throws {
        switch self {
        case .raw(let relay): await relay.stop()
        case .agent(let agent): try await agent.stop()
        }
    }
}

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
        PreparedEvents(count: count, type: inputType, dataSchema: inputSchemaID, payload: payload, timestamped: timestamped)
    }

    func startBroker(for side: Side) throws -> DevBroker {
        try DevBroker(agentbus: options.agentbus, brokers: options.brokers, topics: topics[side]!.all, schemas: options.schemas)
    }

    // MARK: Throughput

    func throughput(_ side: Side, run: Int, events: PreparedEvents) async throws -> Throughput {
        let topics = topics[side]!
        let broker = try startBroker(for: side)
        defer { broker.stop() }
        try preProduce(bootstrapServers: broker.bootstrapServers, topic: topics.input, events: events)
        let downstream = try Downstream(
            bootstrapServers: broker.bootstrapServers, topic: topics.output, expected: events.count, latency: false,
            brokerProcess: broker.processID)
        let running: RunningSide
        do {
            running = try RunningSide.start(
                side, bootstrapServers: broker.bootstrapServers, topics: topics, options: options, run: run)
        } catch {
            await downstream.stop()
            throw error
        }
        let giveUp = ContinuousClock.now + .seconds(120)
        while !downstream.done.load(ordering: .acquiring), ContinuousClock.now < giveUp {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let finished = downstream.done.load(ordering: .acquiring)
        try await running.stop()
        await downstream.stop()
        guard finished else {
            throw BenchError(
                "\(side.label): \(downstream.seen.load(ordering: .relaxed)) of \(events.count) outputs within 120 s")
        }
        // At-least-once bookkeeping, checked: once stopped, each side has committed every input.
        let committed = try committedTotal(
            bootstrapServers: broker.bootstrapServers, group: groupID(side), topic: topics.input,
            partitions: benchPartitions)
        let window = downstream.window
        return Throughput(
            events: events.count - 1, seconds: Double(window.lastNanoseconds - window.firstNanoseconds) / 1e9,
            benchCPU: window.lastCPU.bench - window.firstCPU.bench, brokerCPU: window.lastCPU.broker - window.firstCPU.broker,
            committed: committed, inputs: events.count)
    }

    /// The consumer group of a side.
    func groupID(_ side: Side) -> String {
        switch side {
        case .raw: RunningSide.rawGroup
        case .agent: BenchRiskScorer().name
        }
    }

    // MARK: Latency

    func latency(_ side: Side, events: PreparedEvents) async throws -> Latency {
        let topics = topics[side]!
        let broker = try startBroker(for: side)
        defer { broker.stop() }
        let downstream = try Downstream(
            bootstrapServers: broker.bootstrapServers, topic: topics.output, expected: Int.max, latency: true,
            brokerProcess: broker.processID)
        let running: RunningSide
        do {
            running = try RunningSide.start(
                side, bootstrapServers: broker.bootstrapServers, topics: topics, options: options, run: 0)
        } catch {
            await downstream.stop()
            throw error
        }
        let producer: PacedProducer
        do {
            producer = try PacedProducer(
                bootstrapServers: broker.bootstrapServers, topic: topics.input, events: events, rate: options.rate,
                warmupSeconds: options.warmupSeconds, seconds: options.latencySeconds, downstream: downstream)
        } catch {
            try? await running.stop()
            await downstream.stop()
            throw error
        }

        // CPU over the measured window, sampled when it opens and closes.
        var cpuFrom: (bench: Double, broker: Double)?
        var cpuUntil: (bench: Double, broker: Double)?
        while !producer.finished.load(ordering: .acquiring) {
            let now = monotonicNanoseconds()
            let from = downstream.measureFrom.load(ordering: .acquiring)
            if from != 0, cpuFrom == nil, now >= from { cpuFrom = (selfCPUSeconds(), broker.cpuSeconds()) }
            if from != 0, cpuUntil == nil, now >= downstream.measureUntil.load(ordering: .relaxed) {
                cpuUntil = (selfCPUSeconds(), broker.cpuSeconds())
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        if cpuUntil == nil { cpuUntil = (selfCPUSeconds(), broker.cpuSeconds()) }
        let sent = producer.measuredSent.load(ordering: .acquiring)
        let drainUntil = ContinuousClock.now + .seconds(10)
        while downstream.measured.load(ordering: .acquiring) < sent, ContinuousClock.now < drainUntil {
            try? await Task.sleep(for: .milliseconds(10))
        }
        try await running.stop()
        await downstream.stop()
        if let failure = producer.failure { throw BenchError("\(side.label): \(failure)") }
        let start = cpuFrom ?? (0, 0)
        let end = cpuUntil ?? start
        return Latency(
            samples: downstream.latencies, sent: sent, late: producer.late, benchCPU: end.bench - start.bench,
            brokerCPU: end.broker - start.broker, seconds: options.latencySeconds)
    }

    // MARK: Report

    var handlerDescription: String {
        switch options.handler {
        case .typed: "Examples/risk-scorer's handler (CreditChecked -> RiskScored)"
        case .nolog: "Examples/risk-scorer's handler without its context.logger line"
        case .untyped: "an untyped handler publishing a fixed RiskScored (--handler untyped)"
        }
    }

    func printHeader(sample: PreparedEvents) {
        let recordBytes = sample.keyLength + sample.payload.count + sample.headerBytes
        print(
            """
            agent-bench: one agent hop, AgentBus against a raw librdkafka \(String(cString: rd_kafka_version_str())) relay
              broker     `agentbus dev-broker --brokers \(options.brokers)` (the embedded mock cluster) in its own process,
                         a fresh one per measurement; it shares the machine's \(ProcessInfo.processInfo.activeProcessorCount) cores with this process
              events     \(sample.type): \(sample.payload.count) B payload, \(sample.keyLength) B key, \
            \(sample.headerNames.count) CloudEvents headers (\(sample.headerBytes) B); \(recordBytes) B a record
              topics     \(benchPartitions) partitions in, \(benchPartitions) out; both sides: linger.ms=0 \
            enable.idempotence=true acks=all fetch.wait.max.ms=1
              raw        rd_kafka_consumer_poll -> child headers (new ce_id, ce_causationid, traceparent span) ->
                         rd_kafka_produceva; offset+1 stored in the delivery report; no JSON, no schema
              agent      AgentRuntime.run() in this process, \(handlerDescription):
                         envelope, input validation, \(options.handler == .untyped ? "" : "typed decode, ")handler, \
            \(options.handler == .untyped ? "" : "typed encode, ")output validation,
                         publish, activity record, offset stored after the acknowledgements
              downstream a separate C consumer of the output topic (assigned, no group), in this process

            """)
    }
}

// MARK: Main

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
do {
    let bench = try Bench(options: options)
    let throughputEvents = options.runs > 0 ? bench.events(count: options.events, timestamped: false) : nil
    let latencyEvents = options.latencySeconds > 0
        ? bench.events(
            count: PacedProducer.eventsNeeded(rate: options.rate, seconds: options.warmupSeconds + options.latencySeconds),
            timestamped: true) : nil
    bench.printHeader(sample: throughputEvents ?? latencyEvents ?? bench.events(count: 1, timestamped: false))

    var throughput: [Side: [Throughput]] = [:]
    if let events = throughputEvents {
        print("throughput: \(events.count) events per run; each run first waits ~3 s for its group to form")
        for run in 1...options.runs {
            // Alternate which side goes first, so a drift in the machine's speed favours neither.
            for side in run % 2 == 1 ? options.sides : options.sides.reversed() {
                let result = try await bench.throughput(side, run: run, events: events)
                throughput[side, default: []].append(result)
                print(result.line(side, run: run))
            }
        }
    }

    // Per side, the run with the lowest p50 (the least disturbed by whatever else the machine ran).
    var latency: [Side: Latency] = [:]
    if let events = latencyEvents {
        print(
            "\nlatency: \(options.rate) events/s offered, \(options.latencySeconds) s measured after \(options.warmupSeconds) s "
                + "of warm-up; input send -> output seen downstream")
        for run in 1...options.latencyRuns {
            for side in run % 2 == 1 ? options.sides : options.sides.reversed() {
                let result = try await bench.latency(side, events: events)
                if latency[side].map({ result.p50 < $0.p50 }) ?? true { latency[side] = result }
                print(result.line(side, run: run))
            }
        }
    }

    print("\nsummary")
    if let raw = throughput[.raw], let agent = throughput[.agent] {
        for (name, statistic) in [("best", Throughput.best), ("median", Throughput.median)] {
            let a = statistic(agent)
            let r = statistic(raw)
            print(
                "  throughput (\(name) of \(options.runs))  agent " + pad(rate(a), 7, left: true) + " events/s  raw "
                    + pad(rate(r), 7, left: true) + " events/s  ratio " + percent(r > 0 ? a / r : 0))
        }
        let ratio = Throughput.best(agent) / max(1, Throughput.best(raw))
        print("  goal: agent >= 60% of the raw relay's throughput: \(verdict(ratio >= 0.6)) (\(percent(ratio)))")
    } else {
        for (side, runs) in throughput.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            print("  throughput (best of \(runs.count))  \(side.label) \(rate(Throughput.best(runs))) events/s")
        }
    }
    let latencyNote = options.latencyRuns > 1 ? " (run with the lowest p50 of \(options.latencyRuns))" : ""
    if let raw = latency[.raw], let agent = latency[.agent] {
        let difference = agent.p50 - raw.p50
        print("  latency\(latencyNote)")
        print(String(format: "    p50  agent %6.2f ms  raw %6.2f ms  difference %+.2f ms", agent.p50, raw.p50, difference))
        print(String(format: "    p99  agent %6.2f ms  raw %6.2f ms", agent.p99, raw.p99))
        print("  goal: agent p50 within 0.5 ms of the raw relay's: \(verdict(difference <= 0.5))")
        print("  goal: agent p99 under 10 ms: \(verdict(agent.p99 < 10))")
    } else if let agent = latency[.agent] {
        print("  goal: agent p99 under 10 ms: \(verdict(agent.p99 < 10))")
    }
} catch {
    printError("agent-bench: \(error)")
    exit(1)
}
