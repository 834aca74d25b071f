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
// Those two make the hop part. The journal part measures the same hop with the agent journaling
// 0, 1 and 2 `context.effect` calls per event (throughput against the raw relay, latency at one
// offered rate, the records its journal holds afterwards); the model part, a hop whose handler
// asks a model once per event (`context.chat`, `OpenAICompatibleClient`) served by the tests'
// model stub with a fixed latency, at two concurrencies. The e2e part runs the example loan
// system (Examples/: every agent a process of its own, credit-check twice, the supervisor, the
// explainer asking the model stub; every simulated latency set to 0) on a fresh dev-broker and
// offers it applications at each `--e2e-rates` rate (100 and 1,000 workflows/s) from a paced
// producer: per workflow, the latency from the application's send to the CreateTime of its
// notification (notification.sent on loan.notifications), p50 and p99, and how many of the
// window's workflows completed at what rate. Its baseline is a chain of as many raw relays as the
// system's critical path has hops (intake, a check, aggregator, risk-scorer, decision, notifier),
// each a process with a group of its own, offered the same applications at the same rates on a
// dev-broker of its own. `--only` picks parts.
//
// Nothing consumes the output while a side runs (only one ListOffsets request per 50-100 ms
// while nothing is measured), so the single-threaded broker does only the hop's own work; a live
// consumer with a 1 ms fetch wait about doubles that work and set the latency of both sides.
// Both sides use the same librdkafka properties where they apply (linger.ms=0, idempotence,
// fetch.wait.max.ms=1, ...), run alternately, and get a fresh dev-broker process per measurement
// (in the e2e part too: every agent gets `-X fetch.wait.max.ms=1`, and each series a fresh
// dev-broker and freshly started processes).
// The broker (the mock cluster, one thread) shares the 2 cores with the hop, as it does for a
// developer running agents against `agentbus dev-broker`; the ratio AgentBus / raw is the figure
// to look at, since whatever the machine does to one side it does to the other.
//
// Run: swift build -c release --product agentbus && swift build -c release --product agent-bench &&
//      .build/release/agent-bench [--events N] [--runs R] [--rates E,...] [--latency-seconds S]
//      [--only hop|journal|model|e2e,...] (--help lists every option; the e2e part also needs the
//      example executables: make bench-build)

import AgentBus
import BenchmarkResults
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

    func startHop(_ side: Side, setup: AgentSetup, broker: DevBroker, instance: String) throws -> HopProcess {
        let topics = topics[side]!
        return try HopProcess(
            HopServer.Arguments(
                side: side, bootstrapServers: broker.bootstrapServers, input: topics.input, output: topics.output,
                schemas: options.schemas, instance: instance, setup: setup))
    }

    /// What the hop part's agent runs: `--handler`, nothing journaled.
    var hopSetup: AgentSetup { AgentSetup(handler: options.handler) }

    // MARK: Throughput

    func throughput(_ side: Side, setup: AgentSetup, run: Int, events: PreparedEvents) async throws -> Throughput {
        let topics = topics[side]!
        let broker = try startBroker(for: side)
        defer { broker.stop() }
        try preProduce(bootstrapServers: broker.bootstrapServers, topic: topics.input, events: events)
        let progress = try OutputProgress(
            bootstrapServers: broker.bootstrapServers, topic: topics.output, partitions: benchPartitions)
        let hop = try startHop(side, setup: setup, broker: broker, instance: "bench-\(run)")
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
        let journalRecords = side == .agent && setup.journals
            ? try storedMessageCount(
                bootstrapServers: broker.bootstrapServers, topic: AgentTopics.journal(of: groupID(side)),
                partitions: benchPartitions) : nil
        let created = log.records.map(\.createdNanoseconds)
        let first = created.min()!
        let last = created.max()!
        let used = cpu.used(from: UInt64(first), until: UInt64(last))
        return Throughput(
            events: created.count - 1, seconds: Double(last - first) / 1e9, hopCPU: used.hop, brokerCPU: used.broker,
            memory: memory, committed: committed, inputs: events.count, journalRecords: journalRecords)
    }

    /// The consumer group of a side.
    func groupID(_ side: Side) -> String {
        switch side {
        case .raw: RunningSide.rawGroup
        case .agent: BenchRiskScorer().name
        }
    }

    // MARK: Latency

    /// One latency run of `seconds` measured after `--warmup-seconds`.
    func latency(
        _ side: Side, setup: AgentSetup, rate: Int, seconds: Int, run: Int, events: PreparedEvents
    ) async throws -> Latency {
        let topics = topics[side]!
        let broker = try startBroker(for: side)
        defer { broker.stop() }
        let progress = try OutputProgress(
            bootstrapServers: broker.bootstrapServers, topic: topics.output, partitions: benchPartitions)
        let hop = try startHop(side, setup: setup, broker: broker, instance: "bench-latency-\(run)")
        let producer: PacedProducer
        do {
            producer = try PacedProducer(
                bootstrapServers: broker.bootstrapServers, topic: topics.input, events: events, rate: rate,
                warmupSeconds: options.warmupSeconds, seconds: seconds, progress: progress)
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
              parts      \(Part.allCases.filter(options.parts.contains).map(\.rawValue).joined(separator: ", ")) (--only)

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
    let hop = options.parts.contains(.hop)
    let throughputEvents = hop && options.runs > 0 ? bench.events(count: options.events, timestamped: false) : nil
    let latencyEvents = hop && options.latencySeconds > 0
        ? bench.events(
            count: PacedProducer.eventsNeeded(
                rate: options.rates.max()!, seconds: options.warmupSeconds + options.latencySeconds),
            timestamped: true) : nil
    bench.printHeader(sample: throughputEvents ?? latencyEvents ?? bench.events(count: 1, timestamped: false))

    var raw: [Throughput] = []
    var figures: [BenchmarkFigure] = []
    if hop {
        let part = try await bench.hopPart(throughputEvents: throughputEvents, latencyEvents: latencyEvents)
        raw = part.raw
        figures += part.figures
    }
    if options.parts.contains(.journal) {
        let part = try await bench.journalPart()
        if !part.raw.isEmpty { raw = part.raw }
        figures += part.figures
    }
    if options.parts.contains(.model) {
        figures += try await bench.modelPart(raw: raw)
    }
    if options.parts.contains(.e2e) {
        figures += try await bench.endToEndPart()
    }
    if let path = options.results {
        try BenchmarkResultsFile(path: path).append(figures)
    }
} catch {
    printError("agent-bench: \(error)")
    exit(1)
}
