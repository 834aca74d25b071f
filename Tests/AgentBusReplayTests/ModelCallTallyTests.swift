import Foundation
import Testing

@testable import AgentBus
@testable import AgentBusReplay

/// Model calls in activity records: the counting rule (a journaled call once, however many
/// handlings list it; a call without journal every time), the sums by agent, model and workflow,
/// and how the replay views show them.
@Suite("Model calls and costs")
struct ModelCallTallyTests {
    static func call(
        _ effect: String, model: String = "gpt-4o-mini", input: Int, output: Int, cost: Double, journaled: Bool = true,
        replayed: Bool = false
    ) -> ModelCallRecord {
        ModelCallRecord(
            effect: effect, provider: "openai", requestModel: model, responseModel: model + "-2024-07-18",
            inputTokens: input, outputTokens: output, latencyMilliseconds: 420, cost: cost, journaled: journaled,
            replayed: replayed)
    }

    // MARK: The counting rule

    @Test("a journaled call listed by a failed attempt and replayed by the retry counts once")
    func journaledCallCountsOnce() {
        var tally = ModelCallTally(by: .agent)
        tally.add(Self.call("chat-0", input: 300, output: 80, cost: 0.0015), eventID: "e1", agent: "writer", correlationID: "wf")
        tally.add(
            Self.call("chat-0", input: 300, output: 80, cost: 0.0015, replayed: true), eventID: "e1", agent: "writer",
            correlationID: "wf")
        // A redelivery after a crash lists it a third time.
        tally.add(
            Self.call("chat-0", input: 300, output: 80, cost: 0.0015, replayed: true), eventID: "e1", agent: "writer",
            correlationID: "wf")
        #expect(tally.total == ModelCallTotals(calls: 1, inputTokens: 300, outputTokens: 80, cost: 0.0015, replayed: 2))
    }

    @Test("a call whose first attempt left no activity record is counted from its replayed listing")
    func replayedOnlyListingCounts() {
        var tally = ModelCallTally(by: .agent)
        tally.add(
            Self.call("chat-0", input: 50, output: 10, cost: 0.001, replayed: true), eventID: "e1", agent: "writer",
            correlationID: "wf")
        #expect(tally.total == ModelCallTotals(calls: 1, inputTokens: 50, outputTokens: 10, cost: 0.001, replayed: 1))
    }

    @Test("a call without journal is a real call every time it is listed")
    func unjournaledCallCountsEveryTime() {
        var tally = ModelCallTally(by: .agent)
        let call = Self.call("chat-0", input: 100, output: 20, cost: 0.0002, journaled: false)
        tally.add(call, eventID: "e1", agent: "reviewer", correlationID: "wf")
        tally.add(call, eventID: "e1", agent: "reviewer", correlationID: "wf")
        #expect(tally.total == ModelCallTotals(calls: 2, inputTokens: 200, outputTokens: 40, cost: 0.0004, replayed: 0))
    }

    @Test("event, agent and effect name together identify a journaled call")
    func identity() {
        var tally = ModelCallTally(by: .agent)
        let call = Self.call("chat-0", input: 10, output: 1, cost: 0.5)
        tally.add(call, eventID: "e1", agent: "writer", correlationID: "wf")
        tally.add(call, eventID: "e2", agent: "writer", correlationID: "wf")
        tally.add(call, eventID: "e1", agent: "reviewer", correlationID: "wf")
        tally.add(Self.call("summary", input: 10, output: 1, cost: 0.5), eventID: "e1", agent: "writer", correlationID: "wf")
        tally.add(call, eventID: "e1", agent: "writer", correlationID: "wf")
        // Without an event ID a call cannot be identified, so each listing counts.
        tally.add(call, eventID: nil, agent: "writer", correlationID: nil)
        tally.add(call, eventID: nil, agent: "writer", correlationID: nil)
        #expect(tally.total.calls == 6)
        #expect(tally.total.inputTokens == 60)
    }

    @Test("rows by agent, model and workflow, most expensive first, then the total")
    func grouping() {
        let records = [
            ActivityRecord(
                agent: "writer", instance: "writer-1", eventId: "e1", type: "t", source: "/cli", correlationId: "wf-a",
                causationId: nil, topic: "t", partition: 0, offset: 0, receivedAt: 0, startedAt: 0, finishedAt: 1,
                outcome: .retried, attempts: 1, published: [], failureClass: .transient, error: "boom",
                modelCalls: [Self.call("chat-0", input: 300, output: 80, cost: 0.0015)]),
            ActivityRecord(
                agent: "writer", instance: "writer-2", eventId: "e1", type: "t", source: "/cli", correlationId: "wf-a",
                causationId: nil, topic: "t", partition: 0, offset: 0, receivedAt: 2, startedAt: 2, finishedAt: 3,
                outcome: .ok, attempts: 2, published: [], failureClass: nil, error: nil,
                modelCalls: [
                    Self.call("chat-0", input: 300, output: 80, cost: 0.0015, replayed: true),
                    Self.call("chat-1", model: "gpt-4o", input: 12, output: 8, cost: 0.0006),
                ]),
            ActivityRecord(
                agent: "reviewer", instance: "reviewer-1", eventId: "e2", type: "t", source: "/cli", correlationId: "wf-b",
                causationId: nil, topic: "t", partition: 0, offset: 0, receivedAt: 0, startedAt: 0, finishedAt: 1,
                outcome: .ok, attempts: 1, published: [], failureClass: nil, error: nil,
                modelCalls: [Self.call("chat-0", model: "gpt-4o", input: 1000, output: 200, cost: 0.004, journaled: false)]),
        ]
        func tally(_ grouping: ModelCallGrouping) -> ModelCallTally {
            var tally = ModelCallTally(by: grouping)
            for record in records { tally.add(record) }
            return tally
        }
        let byAgent = tally(.agent)
        #expect(byAgent.rows == [
            ModelCallTallyRow(key: "reviewer", usage: ModelCallTotals(calls: 1, inputTokens: 1000, outputTokens: 200, cost: 0.004)),
            ModelCallTallyRow(
                key: "writer", usage: ModelCallTotals(calls: 2, inputTokens: 312, outputTokens: 88, cost: 0.0015 + 0.0006, replayed: 1)),
        ])
        #expect(byAgent.total.calls == 3 && byAgent.total.inputTokens == 1312 && byAgent.total.outputTokens == 288)
        #expect(byAgent.total.replayed == 1)
        #expect(tally(.model).rows.map(\.key) == ["gpt-4o", "gpt-4o-mini"])
        #expect(tally(.model).rows.map(\.usage.calls) == [2, 1])
        #expect(tally(.workflow).rows.map(\.key) == ["wf-b", "wf-a"])
        #expect(tally(.workflow).total == byAgent.total)
    }

    @Test("costs print with four decimals, and never as zero when they are not", arguments: [
        (0.0021, "$0.0021"), (0, "$0.0000"), (0.00004, "<$0.0001"), (0.00016, "$0.0002"), (12.5, "$12.5000"),
        (1234.56789, "$1234.5679"),
    ])
    func costText(value: Double, expected: String) {
        #expect(ModelCallText.cost(value) == expected)
    }

    // MARK: In replay

    /// wf-1: the writer's first attempt calls chat-0 and fails; the retry replays chat-0 from the
    /// journal, calls chat-1 and publishes e2000002; the reviewer calls without journal on both of
    /// its attempts. An activity record of another event (not in the log) also lists a call.
    static func workflowWithModelCalls() -> ReplayLogFixture {
        var log = ReplayLogFixture()
        log.event("e1000001", correlation: "wf-1", at: 0)
        log.handled(
            "e1000001", by: "writer", correlation: "wf-1", outcome: .retried, received: 1, started: 2, finished: 5,
            failureClass: .transient, error: "boom", modelCalls: [call("chat-0", input: 300, output: 80, cost: 0.0015)])
        log.handled(
            "e1000001", by: "writer", correlation: "wf-1", received: 20, started: 21, finished: 30, attempts: 2,
            published: ["e2000002"],
            modelCalls: [
                call("chat-0", input: 300, output: 80, cost: 0.0015, replayed: true),
                call("chat-1", input: 12, output: 8, cost: 0.0006),
            ])
        log.event(
            "e2000002", type: "test.agentbus.draft.v1", correlation: "wf-1", cause: "e1000001", source: "/agents/writer",
            at: 29, hops: 1)
        let review = call("review", model: "gpt-4o", input: 100, output: 20, cost: 0.0002, journaled: false)
        log.handled(
            "e2000002", by: "reviewer", correlation: "wf-1", outcome: .retried, received: 30, started: 31, finished: 35,
            failureClass: .transient, error: "rate limited", modelCalls: [review])
        log.handled(
            "e2000002", by: "reviewer", correlation: "wf-1", received: 49, started: 50, finished: 60, attempts: 2,
            modelCalls: [review])
        log.handled(
            "e9999999", by: "ghost", correlation: "wf-gone", received: 0, started: 0, finished: 1,
            modelCalls: [call("chat-0", input: 5, output: 5, cost: 0.1)])
        return log
    }

    @Test("the index keeps every field of each call of each handling")
    func indexedCalls() throws {
        let workflow = try #require(Self.workflowWithModelCalls().log.workflow("wf-1"))
        let writer = workflow.nodes[0].handlings
        #expect(writer.map(\.modelCalls.count) == [1, 2])
        #expect(writer[1].modelCalls[0] == Self.call("chat-0", input: 300, output: 80, cost: 0.0015, replayed: true))
        #expect(writer[1].modelCalls[1] == Self.call("chat-1", input: 12, output: 8, cost: 0.0006))
        #expect(workflow.nodes[1].handlings.map(\.modelCalls.count) == [1, 1])
        #expect(workflow.modelTotals.calls == 4)
        #expect(workflow.modelTotals.inputTokens == 512 && workflow.modelTotals.outputTokens == 128)
        #expect(workflow.modelTotals.replayed == 1)
        #expect(abs(workflow.modelTotals.cost - 0.0025) < 1e-12)
    }

    @Test("the tree shows each hop's calls and the workflow's total")
    func tree() throws {
        let workflow = try #require(Self.workflowWithModelCalls().log.workflow("wf-1"))
        let expected = """
            workflow wf-1 · completed · 2 events · 60ms · started 2026-11-21T05:00:00.000Z
            ✓ test.agentbus.work.v1 · e1000001 · from /cli · +0ms
            │ → writer: retried ×1 (transient): boom · 1 model call, 300→80 tokens, $0.0015
            │ → writer: ok in 9ms after 2 attempts (waited 16ms) · published 1 · 2 model calls (1 replayed), 312→88 tokens, $0.0021
            └─ ✓ test.agentbus.draft.v1 · e2000002 · by writer · +29ms
                 → reviewer: retried ×1 (transient): rate limited · 1 model call, 100→20 tokens, $0.0002
                 → reviewer: ok in 10ms after 2 attempts (waited 15ms) · 1 model call, 100→20 tokens, $0.0002

            model calls: 4 · tokens: 512 in, 128 out · cost: $0.0025 · 1 answer replayed from the journal
            """
        #expect(ReplayTreeView.render(workflow) == expected)
        // The critical path section follows the total.
        let withPath = ReplayTreeView.render(workflow, criticalPath: true)
        #expect(withPath.contains("\n\nmodel calls: 4 · tokens: 512 in, 128 out · cost: $0.0025 · 1 answer replayed from the journal\n\ncritical path:"))
    }

    @Test("the timeline gets a model column and the total; workflows without calls render as before")
    func timeline() throws {
        let workflow = try #require(Self.workflowWithModelCalls().log.workflow("wf-1"))
        let lines = ReplayTimelineView.render(workflow).split(separator: "\n").map(String.init)
        #expect(lines.count == 2 + 4 + 2)
        #expect(lines[3].contains("2 model calls (1 replayed), 312→88 tokens, $0.0021  |"))
        #expect(lines[5].contains("reviewer") && lines[5].contains("1 model call, 100→20 tokens, $0.0002 "))
        #expect(lines[7] == "model calls: 4 · tokens: 512 in, 128 out · cost: $0.0025 · 1 answer replayed from the journal")
        #expect(!ReplayTimelineView.render(ReplayViewsTests.workflow).contains("model"))
        #expect(!ReplayTreeView.render(ReplayViewsTests.workflow).contains("model"))
    }

    @Test("the JSON export lists each handling's calls and the totals")
    func json() throws {
        let workflow = try #require(Self.workflowWithModelCalls().log.workflow("wf-1"))
        let document = try ReplayViewsTests.json(ReplayJSONExport.render(workflow))
        let totals = try #require(document["totals"] as? [String: Any])
        #expect(totals["modelCalls"] as? Int == 4)
        #expect(totals["inputTokens"] as? Int == 512)
        #expect(totals["outputTokens"] as? Int == 128)
        #expect(totals["cost"] as? Double == 0.0025)
        #expect(totals["replayedCalls"] as? Int == 1)
        let nodes = try #require(document["nodes"] as? [[String: Any]])
        let handlings = try #require(nodes[0]["handlings"] as? [[String: Any]])
        let calls = try #require(handlings[1]["modelCalls"] as? [[String: Any]])
        #expect(calls.map { $0["effect"] as? String } == ["chat-0", "chat-1"])
        #expect(calls[0]["replayed"] as? Bool == true && calls[0]["journaled"] as? Bool == true)
        #expect(calls[0]["responseModel"] as? String == "gpt-4o-mini-2024-07-18")
        #expect(calls[1]["latencyMs"] as? Int == 420 && calls[1]["cost"] as? Double == 0.0006)
        let plain = try ReplayViewsTests.json(ReplayJSONExport.render(ReplayViewsTests.workflow))
        #expect((plain["totals"] as? [String: Any])?["modelCalls"] as? Int == 0)
    }

    @Test("OTLP puts GenAI token counts and the cost on the handling's span; Chrome on its slice")
    func otlpAndChrome() throws {
        let workflow = try #require(Self.workflowWithModelCalls().log.workflow("wf-1"))
        let document = try ReplayViewsTests.json(ReplayOTLPExport.render(workflow))
        let spans = ((document["resourceSpans"] as? [[String: Any]]) ?? []).flatMap { resource in
            ((resource["scopeSpans"] as? [[String: Any]]) ?? []).flatMap { ($0["spans"] as? [[String: Any]]) ?? [] }
        }
        func attributes(_ span: [String: Any]) -> [String: [String: Any]] {
            var byKey: [String: [String: Any]] = [:]
            for attribute in (span["attributes"] as? [[String: Any]]) ?? [] {
                byKey[attribute["key"] as! String] = attribute["value"] as? [String: Any]
            }
            return byKey
        }
        let writerOK = try #require(spans.first {
            let values = attributes($0)
            return values["messaging.consumer.group.name"]?["stringValue"] as? String == "writer"
                && values["agentbus.outcome"]?["stringValue"] as? String == "ok"
        })
        let values = attributes(writerOK)
        #expect(values["gen_ai.usage.input_tokens"]?["intValue"] as? String == "312")
        #expect(values["gen_ai.usage.output_tokens"]?["intValue"] as? String == "88")
        #expect(values["gen_ai.request.model"]?["stringValue"] as? String == "gpt-4o-mini")
        #expect(values["gen_ai.provider.name"]?["stringValue"] as? String == "openai")
        #expect(values["agentbus.model.cost"]?["doubleValue"] as? Double == 0.0021)
        #expect(values["agentbus.model.calls"]?["intValue"] as? String == "2")
        #expect(values["agentbus.model.replayed_calls"]?["intValue"] as? String == "1")
        let producers = spans.filter { ($0["kind"] as? Int) == 4 }
        #expect(producers.allSatisfy { attributes($0)["gen_ai.usage.input_tokens"] == nil })

        let chrome = try ReplayViewsTests.json(ReplayChromeTraceExport.render(workflow))
        let slices = ((chrome["traceEvents"] as? [[String: Any]]) ?? []).filter { $0["ph"] as? String == "X" }
        let args = try #require(slices.first { ($0["args"] as? [String: Any])?["modelCalls"] as? Int == 2 }?["args"] as? [String: Any])
        #expect(args["inputTokens"] as? Int == 312 && args["outputTokens"] as? Int == 88)
        #expect(args["replayedModelCalls"] as? Int == 1)
    }

    @Test("ls sums each workflow's calls; the whole log's tally includes handlings of events it lacks")
    func summariesAndLogTally() throws {
        let log = Self.workflowWithModelCalls().log
        let summary = try #require(log.summaries().first { $0.correlationID == "wf-1" })
        #expect(summary.modelTotals.calls == 4 && summary.modelTotals.replayed == 1)
        #expect(summary.modelTotals.inputTokens == 512)
        let byAgent = log.modelCallTally(by: .agent)
        #expect(byAgent.rows.map(\.key) == ["ghost", "writer", "reviewer"])
        #expect(byAgent.rows.map(\.usage.calls) == [1, 2, 2])
        #expect(byAgent.total.calls == 5)
        #expect(log.modelCallTally(by: .workflow).rows.map(\.key) == ["wf-gone", "wf-1"])
    }

    @Test("a saved log replays the same calls")
    func savedLog() throws {
        let log = Self.workflowWithModelCalls().log
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-costs-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try log.write(to: path, correlationID: nil)
        let loaded = try ReplayLog.load(path: path)
        let original = try #require(log.workflow("wf-1"))
        let reloaded = try #require(loaded.workflow("wf-1"))
        #expect(ReplayTreeView.render(reloaded) == ReplayTreeView.render(original))
        #expect(loaded.modelCallTally(by: .model).rows == log.modelCallTally(by: .model).rows)
    }
}
