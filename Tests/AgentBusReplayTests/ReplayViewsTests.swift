import Foundation
import Testing

@testable import AgentBus
@testable import AgentBusReplay

/// The replay views, over workflows built by hand so each figure in the expectations can be
/// worked out from the fixture.
@Suite("Replay views")
struct ReplayViewsTests {
    // MARK: Fixtures

    /// 2023-11-14T22:13:20.000Z.
    static let t0: Int64 = 1_700_000_000_000
    static let rootID = "0190aaaa-0000-7000-8000-000000000001"
    static let creditID = "0190bbbb-0000-7000-8000-000000000002"
    static let riskID = "0190cccc-0000-7000-8000-000000000003"
    static let rootTrace = TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!
    static let creditTrace = TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01")!

    static func handling(
        _ agent: String, _ outcome: ActivityRecord.Outcome, started: Int64, finished: Int64, attempts: Int = 1,
        published: [String] = [], failure: FailureClass? = nil, error: String? = nil
    ) -> ReplayHandling {
        ReplayHandling(
            agent: agent, instance: "\(agent)-1", outcome: outcome, receivedAt: t0 + started - 1, startedAt: t0 + started,
            finishedAt: t0 + finished, attempts: attempts, published: published, failureClass: failure, error: error)
    }

    static func node(
        _ id: String, _ type: String, source: String, at offset: Int64, parent: Int?, causation: String? = nil,
        children: [Int] = [], trace: TraceParent? = nil, handlings: [ReplayHandling] = [],
        deadLetters: [ReplayDeadLetter] = [], retries: Int = 0, copies: Int = 0, awaitedBy: [String] = [],
        status: ReplayNodeStatus
    ) -> ReplayNode {
        ReplayNode(
            id: id, type: type, source: source, time: t0 + offset, topic: type.components(separatedBy: ".").first ?? type,
            partition: 0, offset: offset, hops: parent == nil ? 0 : 1, causationID: causation, parent: parent,
            children: children, traceParent: trace, handlings: handlings, deadLetters: deadLetters, retries: retries,
            copies: copies, awaitedBy: awaitedBy, status: status)
    }

    /// A root published from the CLI and consumed by two agents; one child dead-lettered by
    /// audit (schema), the other retried by decision and still awaited by notifier.
    static let workflow: ReplayWorkflow = {
        let reason = "/score: expected integer"
        let nodes = [
            node(
                rootID, "loan.application.received.v1", source: "/cli", at: 0, parent: nil, children: [1, 2],
                trace: rootTrace,
                handlings: [
                    handling("credit-check", .ok, started: 11, finished: 14, published: [creditID]),
                    handling("risk-scorer", .ok, started: 12, finished: 17, published: [riskID]),
                ], status: .ok),
            node(
                creditID, "credit.checked.v1", source: "/agents/credit-check", at: 13, parent: 0, causation: rootID,
                trace: creditTrace,
                handlings: [
                    handling("audit", .deadLettered, started: 20, finished: 25, attempts: 3, failure: .schema, error: reason)
                ],
                deadLetters: [
                    ReplayDeadLetter(
                        agent: "audit", failureClass: .schema, reason: reason, attempts: 3, failedAt: t0 + 25,
                        topic: "audit.dlt", partition: 0, offset: 5, resolved: false)
                ], status: .deadLettered),
            node(
                riskID, "risk.scored.v1", source: "/agents/risk-scorer", at: 16, parent: 0, causation: rootID,
                handlings: [
                    handling("decision", .retried, started: 30, finished: 40, attempts: 2, failure: .transient, error: "timeout")
                ], retries: 1, awaitedBy: ["notifier"], status: .retrying),
        ]
        return ReplayWorkflow(
            correlationID: "corr-1", nodes: nodes, roots: [0], status: .failed, startedAt: t0, endedAt: t0 + 40)
    }()

    /// Two trees: an external root with a child whose type holds quotes, and an orphan whose
    /// cause is not in the log.
    static let brokenWorkflow: ReplayWorkflow = {
        let nodes = [
            node(
                "e0000000-root", "billing.invoice.v1", source: "/external/billing", at: 0, parent: nil, children: [2],
                handlings: [handling("ledger", .ok, started: 2, finished: 4, published: ["e2222222-child"])], status: .ok),
            node(
                "e1111111-orphan", "ledger.entry.v1", source: "/agents/ledger", at: 5, parent: nil,
                causation: "deadbeef-missing", status: .terminal),
            node(
                "e2222222-child", "odd \"quoted\" type", source: "/agents/ledger", at: 3, parent: 0,
                causation: "e0000000-root", awaitedBy: ["auditor"], status: .awaiting),
        ]
        return ReplayWorkflow(
            correlationID: "corr-2", nodes: nodes, roots: [0, 1], status: .running, startedAt: t0, endedAt: t0 + 5)
    }()

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    // MARK: Durations

    @Test("durations read as people write them", arguments: [
        (Int64(0), "0ms"), (12, "12ms"), (999, "999ms"), (1000, "1.0s"), (1449, "1.4s"), (1450, "1.5s"),
        (59_949, "59.9s"), (59_960, "1m00s"), (123_000, "2m03s"), (3_599_499, "59m59s"), (3_720_000, "1h02m"),
        (-250, "-250ms"),
    ])
    func durations(milliseconds: Int64, expected: String) {
        #expect(ReplayDuration.format(milliseconds) == expected)
    }

    // MARK: Tree

    @Test("the tree of a small workflow, exactly")
    func treeGolden() {
        let expected = """
            workflow corr-1 · failed · 3 events · 40ms · started 2023-11-14T22:13:20.000Z
            ✓ loan.application.received.v1 · 0190aaaa · from /cli · +0ms
            │ → credit-check: ok in 3ms (waited 11ms) · published 1
            │ → risk-scorer: ok in 5ms (waited 12ms) · published 1
            ├─ ✗ credit.checked.v1 · 0190bbbb · by credit-check · +13ms
            │    → audit: dead-lettered (schema) after 3 attempts: /score: expected integer
            │    DEAD-LETTERED in audit.dlt/0/5: /score: expected integer
            └─ ↻ risk.scored.v1 · 0190cccc · by risk-scorer · +16ms · 1 retry
                 → decision: retried ×2 (transient): timeout
                 → notifier: not handled yet
            """
        #expect(ReplayTreeView.render(Self.workflow) == expected)
    }

    @Test("the tree marks the critical path and appends it")
    func treeCriticalPath() {
        let text = ReplayTreeView.render(Self.workflow, criticalPath: true)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[1].hasSuffix(" *"))
        #expect(!lines[4].hasSuffix(" *"))
        #expect(lines[7].hasSuffix(" *"))
        #expect(text.contains("critical path: 40ms over 2 events"))
        #expect(ReplayTreeView.render(Self.workflow, criticalPath: true) == text)
    }

    @Test("several roots print as separate trees, orphans flagged")
    func treeSeveralRoots() {
        let text = ReplayTreeView.render(Self.brokenWorkflow)
        #expect(text.contains("· 2 roots"))
        #expect(text.contains("\n\n■ ledger.entry.v1 · e1111111 · by ledger · +5ms (orphan: cause deadbeef not in log)"))
        #expect(text.contains("✓ billing.invoice.v1 · e0000000 · from /external/billing · +0ms"))
        #expect(text.contains("└─ … odd \"quoted\" type · e2222222 · by ledger · +3ms"))
        #expect(text.contains("     → auditor: not handled yet"))
    }

    // MARK: Timeline

    @Test("the timeline splits every hop into wait and processing")
    func timeline() {
        let text = ReplayTimelineView.render(Self.workflow)
        let lines = text.split(separator: "\n").map(String.init)
        // Header, legend, four hops, totals.
        #expect(lines.count == 7)
        let rows = Array(lines[2 ..< 6])
        #expect(rows[0].contains("credit-check") && rows[0].contains("wait 11ms") && rows[0].contains("processing 3ms"))
        #expect(rows[1].contains("risk-scorer") && rows[1].contains("wait 12ms") && rows[1].contains("processing 5ms"))
        #expect(rows[2].contains("audit") && rows[2].contains("+13ms") && rows[2].contains("wait 7ms"))
        #expect(rows[3].contains("decision") && rows[3].contains("wait 14ms") && rows[3].contains("processing 10ms"))
        // 40 ms over 50 columns: credit-check waits in columns 0..<13 and works in 13..<18.
        let bar = rows[0][rows[0].firstIndex(of: "|")!...]
        #expect(bar == "|" + String(repeating: "·", count: 13) + String(repeating: "█", count: 5) + String(repeating: " ", count: 32) + "|")
        #expect(lines[6] == "total over 4 hops: waiting 44ms (66%) · processing 23ms (34%)")
    }

    @Test("events nobody handled get a publish point; a retried agent's wait restarts")
    func timelinePublishAndRetry() {
        let text = ReplayTimelineView.render(Self.brokenWorkflow)
        #expect(text.contains("awaited by auditor"))
        #expect(text.contains("◆"))

        var node = Self.workflow.nodes[2]
        node.handlings.append(Self.handling("decision", .ok, started: 100, finished: 103))
        let hops = ReplayHop.hops(of: node, at: 2)
        #expect(hops.map(\.readyAt) == [Self.t0 + 16, Self.t0 + 40])
        #expect(hops.map(\.wait) == [14, 60])
        #expect(hops.map(\.processing) == [10, 3])
    }

    @Test("clock skew clamps the wait to zero and says so")
    func clockSkew() {
        var workflow = Self.workflow
        workflow.nodes[1].handlings[0].startedAt = Self.t0 + 10 // before the event's time (13)
        let hop = ReplayHop.hops(of: workflow.nodes[1], at: 1)[0]
        #expect(hop.wait == 0 && hop.clockSkew)
        #expect(ReplayTimelineView.render(workflow).contains("wait 0ms (clocks skewed)"))
    }

    // MARK: Critical path

    @Test("the critical path follows the published event to the latest end")
    func criticalPath() {
        let steps = ReplayCriticalPath.compute(Self.workflow)
        #expect(steps == [
            ReplayCriticalPath.Step(node: 0, handling: 1, wait: 12, processing: 5, gap: 0),
            ReplayCriticalPath.Step(node: 2, handling: 0, wait: 14, processing: 10, gap: -1),
        ])
        #expect(steps.reduce(0) { $0 + $1.wait + $1.processing + $1.gap } == Self.workflow.duration)
        let text = ReplayCriticalPath.render(Self.workflow)
        #expect(text.hasPrefix("critical path: 40ms over 2 events · waiting 65% · processing 38% · gaps -3%"))
        #expect(text.contains("1. loan.application.received.v1 · 0190aaaa → risk-scorer"))
        #expect(text.contains("2. risk.scored.v1 · 0190cccc → decision"))
        #expect(ReplayCriticalPath.compute(ReplayWorkflow(
            correlationID: "empty", nodes: [], roots: [], status: .completed, startedAt: 0, endedAt: 0)).isEmpty)
    }

    // MARK: JSON

    @Test("the JSON export parses and carries every field")
    func jsonExport() throws {
        let text = ReplayJSONExport.render(Self.workflow)
        #expect(text == ReplayJSONExport.render(Self.workflow))
        let document = try Self.json(text)
        #expect(document["correlationId"] as? String == "corr-1")
        #expect(document["status"] as? String == "failed")
        #expect(document["startedAt"] as? String == "2023-11-14T22:13:20.000Z")
        #expect(document["endedAtMs"] as? Int64 == Self.t0 + 40)
        let nodes = try #require(document["nodes"] as? [[String: Any]])
        #expect(nodes.count == 3)
        #expect(nodes[1]["parentId"] as? String == Self.rootID)
        #expect(nodes[1]["traceparent"] as? String == Self.creditTrace.description)
        #expect(nodes[2]["traceparent"] is NSNull)
        #expect(nodes[2]["awaitedBy"] as? [String] == ["notifier"])
        let handling = try #require((nodes[1]["handlings"] as? [[String: Any]])?.first)
        #expect(handling["outcome"] as? String == "dead-lettered")
        #expect(handling["waitMs"] as? Int == 7)
        #expect(handling["failureClass"] as? String == "schema")
        let letter = try #require((nodes[1]["deadLetters"] as? [[String: Any]])?.first)
        #expect(letter["topic"] as? String == "audit.dlt")
        #expect(letter["offset"] as? Int == 5)
        let edges = try #require(document["edges"] as? [[String: String]])
        #expect(edges == [
            ["from": Self.rootID, "to": Self.creditID, "publisher": "credit-check"],
            ["from": Self.rootID, "to": Self.riskID, "publisher": "risk-scorer"],
        ])
    }

    // MARK: Graphs

    @Test("DOT has the edges, colours and escaped quotes")
    func dot() {
        let text = ReplayDOTExport.render(Self.workflow)
        #expect(text.hasPrefix("digraph \"workflow corr-1\" {"))
        #expect(text.contains("\"\(Self.rootID)\" -> \"\(Self.creditID)\" [label=\"credit-check\"];"))
        #expect(text.contains("\"\(Self.rootID)\" -> \"\(Self.riskID)\" [label=\"risk-scorer\"];"))
        #expect(text.contains("color=\"#c62828\""))
        #expect(text.contains("color=\"#ef6c00\""))
        let broken = ReplayDOTExport.render(Self.brokenWorkflow)
        #expect(broken.contains("label=\"odd \\\"quoted\\\" type\\ne2222222 · by ledger\\nawaiting\""))
        #expect(broken.contains("\"missing:deadbeef-missing\" -> \"e1111111-orphan\" [style=dashed"))
        #expect(ReplayDOTExport.quote("a\\b\"c") == "\"a\\\\b\\\"c\"")
    }

    @Test("Mermaid has sanitised IDs, the edges, escaped quotes and status classes")
    func mermaid() {
        let text = ReplayMermaidExport.render(Self.workflow)
        #expect(text.hasPrefix("flowchart TD\n"))
        #expect(text.contains("  n0[\"loan.application.received.v1<br/>0190aaaa · from /cli\"]"))
        #expect(text.contains("  n0 -->|\"credit-check\"| n1"))
        #expect(text.contains("  n0 -->|\"risk-scorer\"| n2"))
        #expect(text.contains("  class n1 deadLettered"))
        #expect(text.contains("  class n2 retrying"))
        let broken = ReplayMermaidExport.render(Self.brokenWorkflow)
        #expect(broken.contains("n2[\"odd #quot;quoted#quot; type<br/>e2222222 · by ledger<br/>awaiting\"]"))
        #expect(broken.contains("  m0 -.-> n1"))
        #expect(!broken.contains("\"quoted\""))
        #expect(ReplayMermaidExport.escape("a#<b>|`&") == "a#35;#60;b#62;#124;#96;#38;")
    }

    // MARK: Chrome trace

    @Test("the Chrome trace has metadata, X slices in µs and paired flows")
    func chromeTrace() throws {
        let text = ReplayChromeTraceExport.render(Self.workflow)
        #expect(text == ReplayChromeTraceExport.render(Self.workflow))
        let document = try Self.json(text)
        #expect(document["displayTimeUnit"] as? String == "ms")
        let events = try #require(document["traceEvents"] as? [[String: Any]])

        let metadata = events.filter { $0["ph"] as? String == "M" }
        let process = try #require(metadata.first { $0["name"] as? String == "process_name" })
        #expect((process["args"] as? [String: Any])?["name"] as? String == "workflow corr-1")
        var threads: [String: Int] = [:]
        for event in metadata where event["name"] as? String == "thread_name" {
            threads[(event["args"] as! [String: Any])["name"] as! String] = event["tid"] as? Int
        }
        #expect(threads == ["publishers": 1, "audit": 2, "credit-check": 3, "decision": 4, "risk-scorer": 5])

        let slices = events.filter { $0["ph"] as? String == "X" }
        #expect(slices.count == 4)
        let credit = try #require(slices.first { $0["cat"] as? String == "credit-check" })
        #expect(credit["name"] as? String == "loan.application.received.v1")
        #expect(credit["ts"] as? Int == 11_000)
        #expect(credit["dur"] as? Int == 3_000)
        #expect(credit["tid"] as? Int == 3)
        #expect(credit["pid"] as? Int == 1)
        let audit = try #require(slices.first { $0["cat"] as? String == "audit" })
        let auditArgs = try #require(audit["args"] as? [String: Any])
        #expect(auditArgs["eventId"] as? String == Self.creditID)
        #expect(auditArgs["outcome"] as? String == "dead-lettered")
        #expect(auditArgs["attempts"] as? Int == 3)
        #expect(auditArgs["error"] as? String == "/score: expected integer")

        #expect(events.filter { $0["ph"] as? String == "i" }.count == 3)

        let starts = events.filter { $0["ph"] as? String == "s" }
        let finishes = events.filter { $0["ph"] as? String == "f" }
        #expect(starts.count == 4 && finishes.count == 4)
        #expect(Set(starts.compactMap { $0["id"] as? Int }).count == 4)
        for start in starts {
            let finish = try #require(finishes.first { $0["id"] as? Int == start["id"] as? Int })
            #expect(finish["cat"] as? String == start["cat"] as? String)
            #expect(finish["bp"] as? String == "e")
        }
        // credit-check's handling (tid 3, starts at 11 ms) published credit.checked, which audit
        // (tid 2) handled from 20 ms.
        let creditFlow = try #require(starts.first { $0["tid"] as? Int == 3 })
        #expect(creditFlow["ts"] as? Int == 11_000)
        let creditFinish = try #require(finishes.first { $0["id"] as? Int == creditFlow["id"] as? Int })
        #expect(creditFinish["tid"] as? Int == 2)
        #expect(creditFinish["ts"] as? Int == 20_000)
    }

    @Test("overlapping handlings of one agent go to separate tracks")
    func chromeTraceLanes() {
        var workflow = Self.workflow
        workflow.nodes[2].handlings = [Self.handling("credit-check", .ok, started: 12, finished: 18)]
        let layout = ReplayChromeTraceExport.Layout(workflow)
        #expect(layout.handlingTID[0][0] != layout.handlingTID[2][0])
        #expect(layout.threads.map(\.name).contains("credit-check (2)"))
    }

    // MARK: OTLP

    @Test("OTLP/JSON has services, hex IDs, kinds, nano strings and causal parents")
    func otlp() throws {
        let text = ReplayOTLPExport.render(Self.workflow)
        #expect(text == ReplayOTLPExport.render(Self.workflow))
        #expect(!text.contains("\n"))
        let document = try Self.json(text)
        let resources = try #require(document["resourceSpans"] as? [[String: Any]])
        var spansByService: [String: [[String: Any]]] = [:]
        for resource in resources {
            let attributes = try #require((resource["resource"] as? [String: Any])?["attributes"] as? [[String: Any]])
            let name = try #require((attributes.first?["value"] as? [String: Any])?["stringValue"] as? String)
            #expect(attributes.first?["key"] as? String == "service.name")
            let scopes = try #require(resource["scopeSpans"] as? [[String: Any]])
            #expect((scopes.first?["scope"] as? [String: Any])?["name"] as? String == "agentbus.replay")
            spansByService[name] = try #require(scopes.first?["spans"] as? [[String: Any]])
        }
        #expect(Set(spansByService.keys) == ["agentbus-cli", "audit", "credit-check", "decision", "risk-scorer"])

        let spans = spansByService.values.flatMap { $0 }
        #expect(spans.count == 3 + 4)
        let hex = CharacterSet(charactersIn: "0123456789abcdef")
        for span in spans {
            let traceID = try #require(span["traceId"] as? String)
            let spanID = try #require(span["spanId"] as? String)
            #expect(traceID.count == 32 && traceID.unicodeScalars.allSatisfy(hex.contains))
            #expect(spanID.count == 16 && spanID.unicodeScalars.allSatisfy(hex.contains) && spanID != "0000000000000000")
            #expect(traceID == Self.rootTrace.traceIDHex) // the untraced child joins its cause's trace
            let start = try #require(span["startTimeUnixNano"] as? String)
            let end = try #require(span["endTimeUnixNano"] as? String)
            #expect(UInt64(start) != nil && UInt64(end)! >= UInt64(start)!)
            #expect([4, 5].contains(span["kind"] as? Int))
        }

        let producers = spans.filter { $0["kind"] as? Int == 4 }
        let consumers = spans.filter { $0["kind"] as? Int == 5 }
        #expect(producers.count == 3 && consumers.count == 4)
        func producer(_ spanID: String) -> [String: Any]? { producers.first { $0["spanId"] as? String == spanID } }
        func attribute(_ span: [String: Any], _ key: String) -> String? {
            let entry = (span["attributes"] as? [[String: Any]])?.first { $0["key"] as? String == key }
            let value = entry?["value"] as? [String: Any]
            return (value?["stringValue"] ?? value?["intValue"]) as? String
        }

        let root = try #require(producer(Self.rootTrace.spanIDHex))
        #expect(root["parentSpanId"] == nil)
        #expect(root["name"] as? String == "send loan")
        #expect(root["startTimeUnixNano"] as? String == "1700000000000000000")
        #expect(attribute(root, "messaging.system") == "kafka")
        #expect(attribute(root, "messaging.operation.type") == "send")
        #expect(attribute(root, "cloudevents.event_id") == Self.rootID)
        #expect(attribute(root, "agentbus.correlation_id") == "corr-1")

        // credit-check's consumer span hangs under the root's producer span, and the event it
        // published hangs under that consumer span.
        let creditConsumer = try #require(spansByService["credit-check"]?.first { $0["kind"] as? Int == 5 })
        #expect(creditConsumer["parentSpanId"] as? String == Self.rootTrace.spanIDHex)
        #expect(creditConsumer["name"] as? String == "process loan")
        #expect(creditConsumer["startTimeUnixNano"] as? String == "1700000000011000000")
        #expect(creditConsumer["endTimeUnixNano"] as? String == "1700000000014000000")
        #expect(attribute(creditConsumer, "messaging.consumer.group.name") == "credit-check")
        #expect(attribute(creditConsumer, "agentbus.outcome") == "ok")
        let creditProducer = try #require(producer(Self.creditTrace.spanIDHex))
        #expect(creditProducer["parentSpanId"] as? String == creditConsumer["spanId"] as? String)

        let riskConsumer = try #require(spansByService["risk-scorer"]?.first)
        let riskProducer = try #require(spansByService["risk-scorer"]?.first { $0["kind"] as? Int == 4 })
        #expect(riskProducer["parentSpanId"] as? String == riskConsumer["spanId"] as? String)

        let auditConsumer = try #require(spansByService["audit"]?.first)
        let status = try #require(auditConsumer["status"] as? [String: Any])
        #expect(status["code"] as? Int == 2)
        #expect(status["message"] as? String == "/score: expected integer")
        #expect((auditConsumer["events"] as? [[String: Any]])?.first?["name"] as? String == "dead-lettered")
        #expect((creditConsumer["status"] as? [String: Any])?.isEmpty == true)
    }

    @Test("untraced events get a trace from the correlation ID and stable span IDs")
    func otlpWithoutTraceparent() throws {
        let first = ReplayOTLPExport.render(Self.brokenWorkflow)
        #expect(first == ReplayOTLPExport.render(Self.brokenWorkflow))
        let document = try Self.json(first)
        let resources = try #require(document["resourceSpans"] as? [[String: Any]])
        let spans = resources.flatMap { (($0["scopeSpans"] as? [[String: Any]])?.first?["spans"] as? [[String: Any]]) ?? [] }
        let traces = Set(spans.compactMap { $0["traceId"] as? String })
        #expect(traces.count == 1)
        #expect(traces.first?.count == 32)
        #expect(Set(spans.compactMap { $0["spanId"] as? String }).count == spans.count)
        let services = resources.compactMap {
            ((($0["resource"] as? [String: Any])?["attributes"] as? [[String: Any]])?.first?["value"] as? [String: Any])?["stringValue"] as? String
        }
        #expect(services == ["/external/billing", "ledger"])
    }
}
