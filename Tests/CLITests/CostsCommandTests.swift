import AgentBus
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

/// `agentbus costs`, and the model calls in `agentbus replay`, over events and activity records
/// written here to a dev-broker as the runtime writes them (no agent runs).
@Suite("costs", .serialized, .timeLimit(.minutes(2)))
struct CostsCommandTests {
    @Test("bad values are one line on stderr and exit 1, before any broker is contacted")
    func optionErrors() async throws {
        let cases: [([String], String)] = [
            (["costs", "--by", "team"], "agentbus costs: unknown --by \"team\"; one of agent, model, workflow"),
            (["costs", "--format", "csv"], "agentbus costs: unknown --format \"csv\"; formats: table, json"),
            (["costs", "--since", "yesterday"],
             "agentbus costs: --since: \"yesterday\" is not a time, an age or offsets; expected an RFC 3339 time (2026-11-21T04:00:00Z), an age (30s, 15m, 2h, 1d), @OFFSET or TOPIC:PARTITION@OFFSET"),
            (["costs", "--timeout", "0"], "agentbus costs: --timeout takes a whole number of seconds, at least 1"),
        ]
        let clock = ContinuousClock()
        let start = clock.now
        for (arguments, expected) in cases {
            let result = try await CLIRun.agentbus(arguments + ["--brokers", "127.0.0.1:1"])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.errors == [expected], "\(arguments)")
            #expect(result.output.isEmpty, "\(arguments)")
        }
        #expect(clock.now - start < .seconds(30), "none of them waited for a broker")

        let help = try await CLIRun.agentbus(["costs", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("Examples:"))
        for option in ["--since", "--by", "--format", "--brokers"] {
            #expect(help.output.contains { $0.contains(option) }, "\(option)")
        }
        let top = try await CLIRun.agentbus(["--help"])
        #expect(top.output.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("costs") })
    }

    static func call(
        _ effect: String, _ model: String, input: Int, output: Int, cost: Double, journaled: Bool = true,
        replayed: Bool = false
    ) -> ModelCallRecord {
        ModelCallRecord(
            effect: effect, provider: "openai", requestModel: model, responseModel: model, inputTokens: input,
            outputTokens: output, latencyMilliseconds: 300, cost: cost, journaled: journaled, replayed: replayed)
    }

    /// Two workflows. wf-costs-1: writer's first attempt calls chat-0 and fails; its retry
    /// replays chat-0 from the journal, calls chat-1 and publishes the draft; reviewer calls
    /// `review` without journal on each of its two attempts. wf-costs-2: reviewer's only record
    /// replays a call whose first attempt crashed before writing one.
    func writeRecords(_ broker: DevBrokerProcess) async throws {
        let now = EventTime.now().millisecondsSinceEpoch
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [broker.bootstrapServers]))
        func event(_ id: String, _ correlation: String, cause: String?, source: String, at offset: Int64) async throws {
            var envelope = EventEnvelope(
                id: id, source: source, type: "test.agentbus.work.v1",
                time: EventTime(millisecondsSinceEpoch: now - 60_000 + offset), correlationID: correlation,
                causationID: cause, traceParent: .newRoot(), hops: cause == nil ? 0 : 1, key: correlation,
                data: Array(#"{"n":1}"#.utf8))
            envelope.dataSchema = nil
            try await producer.send(topic: "test.work", key: correlation, value: envelope.data, headers: envelope.kafkaHeaders)
        }
        func handled(
            _ id: String, _ correlation: String, by agent: String, _ outcome: ActivityRecord.Outcome, from start: Int64,
            to end: Int64, attempts: Int = 1, published: [String] = [], calls: [ModelCallRecord]
        ) async throws {
            let record = ActivityRecord(
                agent: agent, instance: "\(agent)-1", eventId: id, type: "test.agentbus.work.v1", source: "/cli",
                correlationId: correlation, causationId: nil, topic: "test.work", partition: 0, offset: 0,
                receivedAt: now - 60_000 + start, startedAt: now - 60_000 + start, finishedAt: now - 60_000 + end,
                outcome: outcome, attempts: attempts, published: published,
                failureClass: outcome == .retried ? .transient : nil, error: outcome == .retried ? "rate limited" : nil,
                modelCalls: calls)
            try await producer.send(topic: AgentTopics.activity, key: correlation, value: record.jsonBytes)
        }
        try await event("e1000001", "wf-costs-1", cause: nil, source: "/cli", at: 0)
        try await event("e2000002", "wf-costs-1", cause: "e1000001", source: "/agents/writer", at: 29)
        try await event("e3000003", "wf-costs-2", cause: nil, source: "/cli", at: 100)
        try await handled(
            "e1000001", "wf-costs-1", by: "writer", .retried, from: 2, to: 5,
            calls: [Self.call("chat-0", "gpt-4o-mini", input: 300, output: 80, cost: 0.0015)])
        try await handled(
            "e1000001", "wf-costs-1", by: "writer", .ok, from: 21, to: 30, attempts: 2, published: ["e2000002"],
            calls: [
                Self.call("chat-0", "gpt-4o-mini", input: 300, output: 80, cost: 0.0015, replayed: true),
                Self.call("chat-1", "gpt-4o", input: 12, output: 8, cost: 0.0006),
            ])
        let review = Self.call("review", "gpt-4o", input: 100, output: 20, cost: 0.0002, journaled: false)
        try await handled("e2000002", "wf-costs-1", by: "reviewer", .retried, from: 31, to: 35, calls: [review])
        try await handled("e2000002", "wf-costs-1", by: "reviewer", .ok, from: 50, to: 60, attempts: 2, calls: [review])
        try await handled(
            "e3000003", "wf-costs-2", by: "reviewer", .ok, from: 101, to: 120, attempts: 2,
            calls: [Self.call("chat-0", "gpt-4o", input: 1000, output: 200, cost: 0.004, replayed: true)])
        try await producer.close()
    }

    /// Each line's cells: the columns are separated by two spaces or more.
    func cells(_ lines: [String]) -> [[String]] {
        lines.map { line in
            line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    @Test("sums by agent, model and workflow, each journaled call once; replay shows the calls per hop")
    func costsAndReplay() async throws {
        let broker = try await DevBrokerProcess.start(topics: "test.work:1")
        defer { Task { await broker.stop() } }
        try await writeRecords(broker)

        async let byAgent = CLIRun.agentbus(["costs"], broker)
        async let byModel = CLIRun.agentbus(["costs", "--by", "model", "--since", "1h"], broker)
        async let byWorkflow = CLIRun.agentbus(["costs", "--by", "workflow", "--format", "json"], broker)
        async let future = CLIRun.agentbus(["costs", "--since", "2099-01-01T00:00:00Z"], broker)
        async let tree = CLIRun.agentbus(["replay", "wf-costs-1"], broker)

        let agents = try await byAgent
        #expect(agents.status == 0, "\(agents.errors)")
        #expect(agents.errors.isEmpty, "\(agents.errors)")
        #expect(cells(agents.output) == [
            ["AGENT", "CALLS", "INPUT TOKENS", "OUTPUT TOKENS", "COST", "REPLAYED"],
            ["reviewer", "3", "1200", "240", "$0.0044", "1"],
            ["writer", "2", "312", "88", "$0.0021", "1"],
            ["total", "5", "1512", "328", "$0.0065", "2"],
        ], "\(agents.output)")

        let models = try await byModel
        #expect(models.status == 0, "\(models.errors)")
        #expect(cells(models.output) == [
            ["MODEL", "CALLS", "INPUT TOKENS", "OUTPUT TOKENS", "COST", "REPLAYED"],
            ["gpt-4o", "4", "1212", "248", "$0.0050", "1"],
            ["gpt-4o-mini", "1", "300", "80", "$0.0015", "1"],
            ["total", "5", "1512", "328", "$0.0065", "2"],
        ], "\(models.output)")

        let workflows = try await byWorkflow
        #expect(workflows.status == 0, "\(workflows.errors)")
        #expect(workflows.output.count == 1)
        let document = try #require(workflows.output.first.flatMap { try? JSONValue(parsing: $0) })
        #expect(document["by"]?.stringValue == "workflow")
        let rows = try #require(document["rows"]?.arrayValue)
        func figures(_ value: JSONValue?) -> [String] {
            ["calls", "inputTokens", "outputTokens", "cost", "replayed"].map { value?[$0]?.jsonText ?? "-" }
        }
        #expect(rows.map { $0["key"]?.stringValue } == ["wf-costs-2", "wf-costs-1"])
        #expect(figures(rows.first) == ["1", "1000", "200", "0.004", "1"])
        #expect(figures(rows.last) == ["4", "512", "128", "0.0025", "1"])
        #expect(figures(document["total"]) == ["5", "1512", "328", "0.0065", "2"])

        let none = try await future
        #expect(none.status == 0, "\(none.errors)")
        #expect(none.output == ["no model calls in agentbus.activity since 2099-01-01T00:00:00Z (0 activity record(s) read)"])

        let shown = try await tree
        #expect(shown.status == 0, "\(shown.errors)")
        #expect(shown.output.contains {
            $0.contains("→ writer: retried ×1 (transient): rate limited · 1 model call, 300→80 tokens, $0.0015")
        }, "\(shown.output)")
        #expect(shown.output.contains {
            $0.contains("→ writer: ok in 9ms after 2 attempts") && $0.hasSuffix(" · published 1 · 2 model calls (1 replayed), 312→88 tokens, $0.0021")
        }, "\(shown.output)")
        #expect(shown.output.filter { $0.contains("→ reviewer: ") && $0.hasSuffix(" · 1 model call, 100→20 tokens, $0.0002") }.count == 2)
        #expect(shown.output.last == "model calls: 4 · tokens: 512 in, 128 out · cost: $0.0025 · 1 answer replayed from the journal")
    }
}
