import AgentBus
import AgentBusReplay
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// `agentbus replay` on workflows that real agents ran: the views, lint, the list, saved logs
    /// and the exports are checked against the records the agents wrote, read independently.
    @Suite("Replay of workflows run by agents", .timeLimit(.minutes(2)))
    struct ReplayEndToEndTests {
        static let agents = ["test-fanout", "test-left", "test-right"]
        static let deadLetterTopic = "test-right.dlt"
        /// Every topic the workflow touches, for "nothing was written" checks.
        static let topics = [
            TestTypes.workTopic, TestTypes.leftTopic, TestTypes.rightTopic, TestTypes.doneTopic, deadLetterTopic,
            "test-right.retry.0s", AgentTopics.activity,
        ]

        /// The workflow as the agents wrote it, read from the topics without replay.
        struct Recorded {
            let root, left, right, done: EventEnvelope
            let fanoutHandling, leftHandling, rightHandling: ActivityRecord
            let deadLetter: KafkaRecord

            init(_ contents: TopicWatcher.Contents, correlationID: String) throws {
                func event(_ topic: String) throws -> EventEnvelope {
                    let events = contents[topic].compactMap(\.envelope).filter { $0.correlationID == correlationID }
                    guard events.count == 1, let event = events.first else {
                        throw TestFailure("\(events.count) events of workflow \(correlationID) on \(topic), expected 1")
                    }
                    return event
                }
                func handling(_ agent: String) throws -> ActivityRecord {
                    let records = contents.activity.filter { $0.agent == agent && $0.correlationId == correlationID }
                    guard records.count == 1, let record = records.first else {
                        throw TestFailure("\(records.count) activity records of \(agent), expected 1")
                    }
                    return record
                }
                root = try event(TestTypes.workTopic)
                left = try event(TestTypes.leftTopic)
                right = try event(TestTypes.rightTopic)
                done = try event(TestTypes.doneTopic)
                fanoutHandling = try handling("test-fanout")
                leftHandling = try handling("test-left")
                rightHandling = try handling("test-right")
                let letters = contents[ReplayEndToEndTests.deadLetterTopic]
                guard letters.count == 1, let letter = letters.first else {
                    throw TestFailure("\(letters.count) dead letters, expected 1")
                }
                deadLetter = letter
            }

            /// Nodes in replay's order: by `ce_time`, then topic (test.left sorts before test.right).
            var events: [EventEnvelope] { [root, left, right, done] }
            var handlings: [ActivityRecord] { [fanoutHandling, leftHandling, rightHandling] }
            /// The events as replay orders them: by `ce_time`, then by topic.
            var nodeOrder: [EventEnvelope] {
                events.sorted { ($0.milliseconds, topic(of: $0)) < ($1.milliseconds, topic(of: $1)) }
            }
            var start: Int64 { events.map(\.milliseconds).min()! }
            /// The latest thing that happened: an event, a handling's end, the dead letter.
            var end: Int64 {
                max(
                    events.map(\.milliseconds).max()!, handlings.map(\.finishedAt).max()!,
                    deadLetter.timestamp!.millisecondsSince1970)
            }
            var duration: String { ReplayDuration.format(end - start) }
            var startedAt: String { EventTime(millisecondsSinceEpoch: start).description }

            /// Queue wait and processing of a first handling, as the views compute them.
            func hop(_ handling: ActivityRecord, of event: EventEnvelope) -> (wait: Int64, processing: Int64) {
                (max(0, handling.startedAt - event.milliseconds), max(0, handling.finishedAt - handling.startedAt))
            }
        }

        @Test("a fan-out with a dead-lettered branch: tree, timeline, lint, ls and the exports match what the agents wrote; a saved log replays the same")
        func fanOutWithDeadLetter() async throws {
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: Self.agents.flatMap { ["--agent", $0] } + ["--retry-delays", "none"])
            // Started together: each joins its own group, so the ~3 s first joins overlap.
            let agents = try [("fanout", "fanout-1"), ("left", "left-1"), ("right", "right-1")].map { role, instance in
                try AgentProcess.testAgent(role: role, instance: instance, broker: broker)
            }
            for agent in agents { try await agent.waitUntilAssigned() }
            let watcher = try await TopicWatcher.start(
                Self.topics.filter { $0 != "test-right.retry.0s" }, broker: broker)

            let publish = try await agentbus(
                ["publish", TestTypes.work, "--data", #"{"id":"e2e","seq":0,"behavior":"ok"}"#, "--schemas", Paths.fixtureSchemas],
                broker)
            #expect(publish.status == 0, "\(publish.errors)")
            let correlationID = try #require(value(of: "correlation-id: ", in: publish.output))
            let rootID = try #require(value(of: "event-id: ", in: publish.output))

            let finished = await watcher.waitFor { contents in
                contents.activity.count { $0.correlationId == correlationID } >= 3
                    && contents.count(Self.deadLetterTopic) >= 1 && contents.count(TestTypes.doneTopic) >= 1
            }
            #expect(finished, "\(agents.map(\.tail).joined(separator: "\n"))")
            await watcher.stop()
            let recorded = try Recorded(watcher.contents, correlationID: correlationID)
            // The agents are done with it; stopped, they leave the cores to the replays.
            await withTaskGroup(of: Void.self) { group in
                for agent in agents { group.addTask { #expect(await agent.stop() == 0) } }
            }

            // What the agents wrote, as the replay must show it.
            let root = recorded.root, left = recorded.left, right = recorded.right, done = recorded.done
            #expect(root.id == rootID && root.correlationID == correlationID && root.source == "/cli")
            #expect(left.causationID == root.id && right.causationID == root.id && done.causationID == left.id)
            #expect(Set(recorded.fanoutHandling.published) == [left.id, right.id])
            #expect(recorded.leftHandling.published == [done.id])
            #expect(recorded.rightHandling.outcome == .deadLettered && recorded.rightHandling.failureClass == .permanent)
            let deadLetter = DeadLetter(record: recorded.deadLetter)
            let reason = try #require(deadLetter.reason)
            #expect(reason.contains("right branch refused e2e"), "\(reason)")
            let handlingError = try #require(recorded.rightHandling.error)
            #expect(handlingError.contains("right branch refused e2e"), "\(handlingError)")
            #expect(left.milliseconds <= right.milliseconds, "the fan-out publishes left first")

            // Every live view at once: they read the same, finished log.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-replay-\(UUID().uuidString).jsonl").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            async let treeRun = agentbus(["replay", correlationID], broker)
            async let timelineRun = agentbus(["replay", correlationID, "--format", "timeline"], broker)
            async let criticalRun = agentbus(["replay", correlationID, "--format", "timeline", "--critical-path"], broker)
            async let jsonRun = agentbus(["replay", correlationID, "--format", "json"], broker)
            async let otlpRun = agentbus(["replay", correlationID, "--format", "otlp"], broker)
            async let chromeRun = agentbus(["replay", correlationID, "--format", "chrome"], broker)
            async let lintRun = agentbus(["replay", "lint", correlationID], broker)
            async let listRun = agentbus(["replay", "ls"], broker)
            async let failedRun = agentbus(["replay", "ls", "--failed"], broker)
            async let listJSONRun = agentbus(["replay", "ls", "--json"], broker)
            async let saveRun = agentbus(["replay", correlationID, "--save", file], broker)
            let (tree, timeline, critical, json, otlp, chrome) = try await (treeRun, timelineRun, criticalRun, jsonRun, otlpRun, chromeRun)
            let (lint, list, failed, listJSON, save) = try await (lintRun, listRun, failedRun, listJSONRun, saveRun)
            for (name, run) in [("tree", tree), ("timeline", timeline), ("critical path", critical), ("json", json), ("otlp", otlp),
                                ("chrome", chrome), ("ls", list), ("ls --failed", failed), ("ls --json", listJSON), ("--save", save)] {
                #expect(run.status == 0, "\(name): \(run.errors)")
                #expect(run.errors.isEmpty, "\(name) warned: \(run.errors)")
            }

            // The tree, line for line.
            let fanoutHop = recorded.hop(recorded.fanoutHandling, of: root)
            let leftHop = recorded.hop(recorded.leftHandling, of: left)
            func after(_ event: EventEnvelope, _ cause: EventEnvelope?) -> String {
                "+" + ReplayDuration.format(event.milliseconds - (cause?.milliseconds ?? recorded.start))
            }
            let expectedTree = [
                "workflow \(correlationID) · failed · 4 events · \(recorded.duration) · started \(recorded.startedAt)",
                "✓ \(TestTypes.work) · \(root.id.prefix(8)) · from /cli · \(after(root, nil))",
                "│ → test-fanout: ok in \(ReplayDuration.format(fanoutHop.processing)) (waited \(ReplayDuration.format(fanoutHop.wait))) · published 2",
                "├─ ✓ \(TestTypes.left) · \(left.id.prefix(8)) · by test-fanout · \(after(left, root))",
                "│  │ → test-left: ok in \(ReplayDuration.format(leftHop.processing)) (waited \(ReplayDuration.format(leftHop.wait))) · published 1",
                "│  └─ ■ \(TestTypes.done) · \(done.id.prefix(8)) · by test-left · \(after(done, left))",
                "└─ ✗ \(TestTypes.right) · \(right.id.prefix(8)) · by test-fanout · \(after(right, root))",
                "     → test-right: dead-lettered (permanent) after 1 attempt: \(handlingError)",
                "     DEAD-LETTERED in \(Self.deadLetterTopic)/\(recorded.deadLetter.partition)/\(recorded.deadLetter.offset): \(reason)",
            ]
            #expect(tree.output == expectedTree, "\n\(tree.output.joined(separator: "\n"))\nexpected\n\(expectedTree.joined(separator: "\n"))")

            // The timeline: a row per hop with its wait and processing, and the publish nobody consumes.
            try checkTimeline(timeline.output, recorded, correlationID: correlationID)
            #expect(Array(critical.output.prefix(timeline.output.count)) == timeline.output, "--critical-path adds to the timeline")
            try checkCriticalPath(Array(critical.output.dropFirst(timeline.output.count)), recorded)

            // Lint: exactly the dead letter, with its cause and fix; exit 1.
            #expect(lint.status == 1, "\(lint.errors)")
            #expect(lint.output == [
                "dead-lettered \(correlationID)/\(right.id): \(TestTypes.right) \(right.id) is in \(Self.deadLetterTopic) (permanent): \(reason)",
                "  cause: the handler refused the event with a non-retryable error",
                "  fix: see agentbus dlt show test-right; fix the cause, then agentbus dlt redrive test-right",
                "1 finding in 1 workflow (1 dead-lettered)",
            ], "\(lint.output)")

            // The list: one failed workflow of four events, rooted in the CLI's work event.
            let row = [correlationID, TestTypes.work, recorded.startedAt, recorded.duration, "4", "failed"]
            #expect(list.output.count == 2, "\(list.output)")
            #expect(list.output.first?.split(separator: " ", omittingEmptySubsequences: true).first == "CORRELATION")
            #expect(list.output.last?.split(separator: " ").map(String.init) == row, "\(list.output)")
            #expect(failed.output.last?.split(separator: " ").map(String.init) == row, "\(failed.output)")
            let summary = try #require(listJSON.output.first.flatMap { try? JSONValue(parsing: $0) })
            #expect(listJSON.output.count == 1)
            #expect(summary["correlationId"]?.stringValue == correlationID)
            #expect(summary["rootType"]?.stringValue == TestTypes.work)
            #expect(summary["events"]?.numberValue == JSONNumber(4))
            #expect(summary["deadLetters"]?.numberValue == JSONNumber(1))
            #expect(summary["status"]?.stringValue == "failed")

            // The exports.
            try checkOTLP(otlp.output.joined(separator: "\n"), recorded)
            try checkChrome(chrome.output.joined(separator: "\n"), recorded)
            let document = try #require(try? JSONValue(parsing: json.output.joined(separator: "\n")))
            #expect(document["status"]?.stringValue == "failed")
            #expect(document["nodes"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == recorded.nodeOrder.map(\.id))
            #expect(document["nodes"]?.arrayValue?.first { $0["id"]?.stringValue == root.id }?["traceparent"]?.stringValue
                == root.traceParent?.description, "the root's traceparent as published")

            // A dry-run redrive of the dead-lettered event names a new workflow and sends nothing.
            let before = try await snapshot(Self.topics, broker).endOffsets
            let dryRun = try await agentbus(["replay", "redrive", right.id, "--dry-run"], broker)
            #expect(dryRun.status == 0, "\(dryRun.errors)")
            let newCorrelation = try #require(value(of: "correlation-id: ", in: dryRun.output))
            #expect(newCorrelation != correlationID)
            #expect(dryRun.output.contains { $0.hasPrefix("event-id: \(right.id) -> ") && $0.hasSuffix(" \(TestTypes.right)") }, "\(dryRun.output)")
            // The default key (the correlation ID) follows the new workflow; the copy links to the original.
            #expect(right.key == correlationID)
            #expect(dryRun.output.contains("  to \(TestTypes.rightTopic), key \(newCorrelation)"), "\(dryRun.output)")
            #expect(dryRun.output.contains("  agentbus_replay_of: \(right.id)"), "\(dryRun.output)")
            #expect(dryRun.output.contains("  agentbus_replay_of_correlation: \(correlationID)"), "\(dryRun.output)")
            #expect(dryRun.errors == ["agentbus replay redrive: dry run: nothing was sent (1 event(s) would be)"], "\(dryRun.errors)")
            #expect(try await snapshot(Self.topics, broker).endOffsets == before, "the dry run wrote nothing")
            await broker.stop()

            // A saved log replays to the same output, view for view, with the cluster gone.
            #expect(FileManager.default.fileExists(atPath: file))
            #expect(save.output == tree.output, "--save prints the view as usual")
            async let treeFileRun = offline(["replay", correlationID, "--from-file", file])
            async let timelineFileRun = offline(["replay", correlationID, "--format", "timeline", "--from-file", file])
            async let criticalFileRun = offline(
                ["replay", correlationID, "--format", "timeline", "--critical-path", "--from-file", file])
            async let jsonFileRun = offline(["replay", correlationID, "--format", "json", "--from-file", file])
            async let otlpFileRun = offline(["replay", correlationID, "--format", "otlp", "--from-file", file])
            async let chromeFileRun = offline(["replay", correlationID, "--format", "chrome", "--from-file", file])
            async let lintFileRun = offline(["replay", "lint", correlationID, "--from-file", file])
            async let listFileRun = offline(["replay", "ls", "--json", "--from-file", file])
            let fromFile = try await [
                ("tree", tree, treeFileRun), ("timeline", timeline, timelineFileRun), ("critical path", critical, criticalFileRun),
                ("json", json, jsonFileRun), ("otlp", otlp, otlpFileRun), ("chrome", chrome, chromeFileRun),
                ("lint", lint, lintFileRun), ("ls --json", listJSON, listFileRun),
            ]
            for (name, live, saved) in fromFile {
                #expect(saved.status == live.status, "\(name): \(saved.errors)")
                #expect(saved.errors.isEmpty, "\(name) from the file warned: \(saved.errors)")
                #expect(saved.output == live.output, "\(name) from the file differs:\n\(saved.output.joined(separator: "\n"))")
            }
        }

        @Test("an event whose registered consumer is stopped: stalled after --stall-after, running before it")
        func stalledWorkflow() async throws {
            let broker = try await DevBrokerProcess.start(schemas: Paths.fixtureSchemas, arguments: ["--agent", "test-left", "--retry-delays", "none"])
            let watcher = try await TopicWatcher.start([AgentTopics.registry], broker: broker)
            // Run once, so the registry says test-left consumes Left; then stopped.
            let left = try AgentProcess.testAgent(role: "left", instance: "left-1", broker: broker)
            #expect(await watcher.waitFor { $0.count(AgentTopics.registry) >= 1 }, "\(left.tail)")
            await watcher.stop()
            #expect(await left.stop() == 0, "\(left.tail)")

            let publish = try await agentbus(
                ["publish", TestTypes.left, "--data", #"{"id":"stalled","seq":0}"#, "--schemas", Paths.fixtureSchemas], broker)
            #expect(publish.status == 0, "\(publish.errors)")
            let correlationID = try #require(value(of: "correlation-id: ", in: publish.output))
            let eventID = try #require(value(of: "event-id: ", in: publish.output))
            let event = try #require(try await snapshot([TestTypes.leftTopic], broker)[TestTypes.leftTopic].first?.envelope)
            #expect(event.id == eventID)
            let publishedAt = event.time!.description

            async let lintRun = agentbus(["replay", "lint", correlationID, "--stall-after", "1ms"], broker)
            async let listRun = agentbus(["replay", "ls", "--json", "--stall-after", "1ms"], broker)
            async let treeRun = agentbus(["replay", correlationID, "--stall-after", "1ms"], broker)
            async let recentLintRun = agentbus(["replay", "lint", correlationID], broker)
            async let recentListRun = agentbus(["replay", "ls", "--json"], broker)
            let (lint, list, tree, recentLint, recentList) = try await (lintRun, listRun, treeRun, recentLintRun, recentListRun)

            #expect(lint.status == 1, "\(lint.errors)")
            #expect(lint.output == [
                "stalled \(correlationID)/\(eventID): workflow stopped without a terminal event: \(TestTypes.left) \(eventID) has waited for test-left since \(publishedAt)",
                "  cause: no instance of the consuming agent ran since the event was published, or it is far behind",
                "  fix: agentbus agents shows which instances are alive; start the agent, or look at its lag and logs",
                "1 finding in 1 workflow (1 stalled)",
            ], "\(lint.output)")
            #expect(list.status == 0, "\(list.errors)")
            let summary = try #require(list.output.first.flatMap { try? JSONValue(parsing: $0) })
            #expect(summary["status"]?.stringValue == "stalled")
            #expect(summary["rootType"]?.stringValue == TestTypes.left)
            #expect(summary["events"]?.numberValue == JSONNumber(1))
            #expect(tree.output == [
                "workflow \(correlationID) · stalled · 1 event · 0ms · started \(publishedAt)",
                "… \(TestTypes.left) · \(eventID.prefix(8)) · from /cli · +0ms",
                "  → test-left: not handled yet",
            ], "\(tree.output)")

            // Under the default 60 s it is still running: waiting, but not for long.
            #expect(recentLint.status == 0, "\(recentLint.output)")
            #expect(recentLint.output == ["no findings in 1 workflow"])
            let recent = try #require(recentList.output.first.flatMap { try? JSONValue(parsing: $0) })
            #expect(recent["status"]?.stringValue == "running")
            await broker.stop()
        }

        // MARK: Views checked piece by piece

        /// Header, legend, one row per hop (ordered by when the event became available, then by
        /// start), the publish of `done` that no agent consumes, and the totals.
        func checkTimeline(_ lines: [String], _ recorded: Recorded, correlationID: String) throws {
            struct Row {
                var at: Int64, startedAt: Int64, node: Int
                var columns: [String]
            }
            let events = recorded.events
            var rows: [Row] = []
            let order = recorded.nodeOrder.map(\.id)
            for (event, handling) in zip(events, recorded.handlings) {
                let hop = recorded.hop(handling, of: event)
                rows.append(Row(
                    at: event.milliseconds, startedAt: handling.startedAt, node: order.firstIndex(of: event.id)!,
                    columns: [
                        "+" + ReplayDuration.format(event.milliseconds - recorded.start), handling.agent, event.type,
                        handling.outcome.rawValue, "wait \(ReplayDuration.format(hop.wait))",
                        "processing \(ReplayDuration.format(hop.processing))",
                    ]))
            }
            rows.sort { ($0.at, $0.startedAt, $0.node) < ($1.at, $1.startedAt, $1.node) }
            let done = recorded.done
            let publishRow = Row(
                at: done.milliseconds, startedAt: 0, node: -1,
                columns: ["+" + ReplayDuration.format(done.milliseconds - recorded.start), "(test-left)", done.type, "published", "no consumer"])
            rows.insert(publishRow, at: rows.firstIndex { $0.at > done.milliseconds } ?? rows.count)

            #expect(lines.count == 2 + rows.count + 1, "\(lines)")
            guard lines.count == 2 + rows.count + 1 else { return }
            #expect(lines[0] == "timeline of \(correlationID) · \(recorded.duration) from \(recorded.startedAt) (bar: 50 columns for the whole workflow)")
            #expect(lines[1] == "  legend: · waiting in the queue, █ processing, ◆ published but not handled")
            for (line, row) in zip(lines[2..<(2 + rows.count)], rows) {
                let bar = try #require(line.firstIndex(of: "|"))
                let columns = line[..<bar].split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                #expect(columns == row.columns, "\(line)")
                let drawn = line[bar...]
                #expect(drawn.count == 52 && drawn.hasSuffix("|"), "\(line)")
                #expect(drawn.contains(row.node < 0 ? "◆" : "█"), "\(line)")
            }
            let hops = zip(events, recorded.handlings).map { recorded.hop($1, of: $0) }
            let wait = hops.reduce(0) { $0 + $1.wait }, processing = hops.reduce(0) { $0 + $1.processing }
            func percent(_ part: Int64) -> String {
                wait + processing > 0 ? "\(Int64((Double(part) * 100 / Double(wait + processing)).rounded()))%" : "–"
            }
            #expect(lines.last == "total over 3 hops: waiting \(ReplayDuration.format(wait)) (\(percent(wait))) · processing \(ReplayDuration.format(processing)) (\(percent(processing)))")
        }

        /// After a blank line: the summary, then the path from the root to the event that
        /// finished last (its latest handling's end, else its publish), each step labelled with
        /// the agent that carried the workflow on.
        func checkCriticalPath(_ lines: [String], _ recorded: Recorded) throws {
            let events = recorded.events
            let ends = [
                recorded.fanoutHandling.finishedAt, recorded.leftHandling.finishedAt, recorded.rightHandling.finishedAt,
                recorded.done.milliseconds,
            ].enumerated().map { max($1, events[$0].milliseconds) }
            // Ties go to the earliest event in replay's order.
            let order = recorded.nodeOrder.map(\.id)
            let last = ends.indices.filter { ends[$0] == ends.max()! }.min { order.firstIndex(of: events[$0].id)! < order.firstIndex(of: events[$1].id)! }!
            let path: [(EventEnvelope, String)] = switch last {
            case 0: [(recorded.root, "→ test-fanout")]
            case 1: [(recorded.root, "→ test-fanout"), (recorded.left, "→ test-left")]
            case 2: [(recorded.root, "→ test-fanout"), (recorded.right, "→ test-right")]
            default: [(recorded.root, "→ test-fanout"), (recorded.left, "→ test-left"), (recorded.done, "(not handled)")]
            }
            #expect(lines.count == 2 + path.count, "\(lines)")
            guard lines.count == 2 + path.count else { return }
            #expect(lines[0] == "")
            let total = ReplayDuration.format(ends[last] - recorded.start)
            #expect(lines[1].hasPrefix("critical path: \(total) over \(path.count) events"), "\(lines[1])")
            for (number, (line, (event, consumer))) in zip(lines.dropFirst(2), path).enumerated() {
                #expect(line.hasPrefix("  \(number + 1). \(event.type) · \(event.id.prefix(8)) \(consumer) "), "\(line)")
                #expect(line.contains(" gap ") && line.contains(" · wait ") && line.contains(" · processing "), "\(line)")
            }
        }

        /// OTLP/JSON: a producer span per event, a consumer span per handling under its event's
        /// producer span, children under the consumer span that published them, the IDs the
        /// events carried, hex IDs and nanoseconds as strings.
        func checkOTLP(_ text: String, _ recorded: Recorded) throws {
            let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let resourceSpans = try #require(document["resourceSpans"] as? [[String: Any]])
            var spans: [[String: Any]] = []
            var services: [String: [String]] = [:]
            for resource in resourceSpans {
                let attributes = try #require((resource["resource"] as? [String: Any])?["attributes"] as? [[String: Any]])
                let service = try #require(attributes.first { $0["key"] as? String == "service.name" }
                    .flatMap { ($0["value"] as? [String: Any])?["stringValue"] as? String })
                for scope in try #require(resource["scopeSpans"] as? [[String: Any]]) {
                    #expect((scope["scope"] as? [String: Any])?["name"] as? String == "agentbus.replay")
                    let scoped = try #require(scope["spans"] as? [[String: Any]])
                    spans += scoped
                    services[service, default: []] += scoped.compactMap { $0["name"] as? String }
                }
            }
            #expect(Set(services.keys) == ["agentbus-cli", "test-fanout", "test-left", "test-right"], "\(services)")

            func attribute(_ span: [String: Any], _ key: String) -> String? {
                guard let attributes = span["attributes"] as? [[String: Any]],
                    let value = attributes.first(where: { $0["key"] as? String == key })?["value"] as? [String: Any]
                else { return nil }
                return value["stringValue"] as? String ?? value["intValue"] as? String
            }
            let hex = { (text: String?, count: Int) -> Bool in
                guard let text else { return false }
                return text.count == count && text.allSatisfy { "0123456789abcdef".contains($0) }
            }
            for span in spans {
                #expect(hex(span["traceId"] as? String, 32), "\(span)")
                #expect(hex(span["spanId"] as? String, 16), "\(span)")
                if let parent = span["parentSpanId"] { #expect(hex(parent as? String, 16), "\(span)") }
                for key in ["startTimeUnixNano", "endTimeUnixNano"] {
                    let nanos = span[key] as? String
                    #expect(nanos.flatMap { UInt64($0) } != nil, "\(key) is a decimal string: \(span)")
                }
            }
            let producers = spans.filter { $0["kind"] as? Int == 4 }
            let consumers = spans.filter { $0["kind"] as? Int == 5 }
            #expect(producers.count == 4 && consumers.count == 3 && spans.count == 7, "\(spans.count) spans")

            // Producer spans are the events' own trace contexts, all in the root's trace.
            let traceID = try #require(recorded.root.traceParent?.traceIDHex)
            var producerOf: [String: [String: Any]] = [:]
            for event in recorded.events {
                let matching = producers.filter { attribute($0, "messaging.message.id") == event.id }
                #expect(matching.count == 1, "one producer span for \(event.type)")
                guard let span = matching.first else { continue }
                producerOf[event.id] = span
                #expect(span["traceId"] as? String == traceID)
                #expect(span["spanId"] as? String == event.traceParent?.spanIDHex, "\(event.type)'s traceparent is its producer span")
                #expect(span["name"] as? String == "send \(topic(of: event))")
                #expect(span["startTimeUnixNano"] as? String == String(event.milliseconds * 1_000_000))
            }
            #expect(producerOf[recorded.root.id]?["parentSpanId"] == nil, "the root's producer span has no parent")

            // Each handling: a consumer span under its event's producer span.
            var consumerOf: [String: [String: Any]] = [:]
            for (event, handling) in zip(recorded.events, recorded.handlings) {
                let matching = consumers.filter { attribute($0, "messaging.message.id") == event.id }
                #expect(matching.count == 1, "one consumer span for \(handling.agent)")
                guard let span = matching.first else { continue }
                consumerOf[event.id] = span
                #expect(span["traceId"] as? String == traceID)
                #expect(span["parentSpanId"] as? String == producerOf[event.id]?["spanId"] as? String)
                #expect(span["name"] as? String == "process \(topic(of: event))")
                #expect(attribute(span, "messaging.consumer.group.name") == handling.agent)
                #expect(attribute(span, "agentbus.outcome") == handling.outcome.rawValue)
                #expect(span["startTimeUnixNano"] as? String == String(handling.startedAt * 1_000_000))
                #expect(span["endTimeUnixNano"] as? String == String(handling.finishedAt * 1_000_000))
                #expect(services[handling.agent]?.contains("process \(topic(of: event))") == true)
            }
            let failed = try #require(consumerOf[recorded.right.id])
            #expect((failed["status"] as? [String: Any])?["code"] as? Int == 2, "a dead-lettered handling is an error")
            #expect((failed["events"] as? [[String: Any]])?.map { $0["name"] as? String } == ["dead-lettered"])

            // Children hang under the consumer span of the handling that published them.
            for (child, publisher) in [(recorded.left, recorded.root), (recorded.right, recorded.root), (recorded.done, recorded.left)] {
                #expect(
                    producerOf[child.id]?["parentSpanId"] as? String == consumerOf[publisher.id]?["spanId"] as? String,
                    "\(child.type) under the handling of \(publisher.type)")
            }
        }

        /// Trace Event Format: an X slice per handling (µs from the workflow's start), an s/f
        /// flow pair per causation edge with handlings at both ends, a named thread per agent.
        func checkChrome(_ text: String, _ recorded: Recorded) throws {
            let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let events = try #require(document["traceEvents"] as? [[String: Any]])
            let threads = events.filter { $0["ph"] as? String == "M" && $0["name"] as? String == "thread_name" }
            var tidOf: [String: Int] = [:]
            for thread in threads {
                if let name = (thread["args"] as? [String: Any])?["name"] as? String, let tid = thread["tid"] as? Int { tidOf[name] = tid }
            }
            #expect(Set(tidOf.keys) == ["publishers", "test-fanout", "test-left", "test-right"], "\(tidOf)")

            let slices = events.filter { $0["ph"] as? String == "X" }
            #expect(slices.count == 3)
            var sliceOf: [String: [String: Any]] = [:]
            for (event, handling) in zip(recorded.events, recorded.handlings) {
                let matching = slices.filter { ($0["args"] as? [String: Any])?["eventId"] as? String == event.id }
                #expect(matching.count == 1, "one slice for \(handling.agent)")
                guard let slice = matching.first else { continue }
                sliceOf[event.id] = slice
                #expect(slice["name"] as? String == event.type)
                #expect(slice["cat"] as? String == handling.agent)
                #expect(slice["tid"] as? Int == tidOf[handling.agent])
                #expect(slice["ts"] as? Int == Int((handling.startedAt - recorded.start) * 1000), "µs from the start")
                #expect(slice["dur"] as? Int == Int((handling.finishedAt - handling.startedAt) * 1000), "µs")
                #expect((slice["args"] as? [String: Any])?["outcome"] as? String == handling.outcome.rawValue)
            }

            // Flows: the root's publish → test-fanout, and test-fanout → test-left and test-right.
            // The done event has no handling, so no flow ends there.
            let starts = events.filter { $0["ph"] as? String == "s" }
            let finishes = events.filter { $0["ph"] as? String == "f" }
            #expect(starts.count == 3 && finishes.count == 3)
            #expect(Set(starts.compactMap { $0["id"] as? Int }) == Set(finishes.compactMap { $0["id"] as? Int }))
            func flow(into child: EventEnvelope) -> (start: [String: Any], finish: [String: Any])? {
                guard let slice = sliceOf[child.id],
                    let finish = finishes.first(where: { $0["tid"] as? Int == slice["tid"] as? Int && $0["ts"] as? Int == slice["ts"] as? Int }),
                    let start = starts.first(where: { $0["id"] as? Int == finish["id"] as? Int })
                else { return nil }
                return (start, finish)
            }
            for child in [recorded.left, recorded.right] {
                let pair = try #require(flow(into: child), "a flow into \(child.type)'s handling")
                let publisher = try #require(sliceOf[recorded.root.id])
                #expect(pair.start["tid"] as? Int == publisher["tid"] as? Int, "\(child.type)'s flow starts on test-fanout")
                #expect(pair.start["ts"] as? Int == publisher["ts"] as? Int, "at the start of its slice")
                #expect(pair.finish["bp"] as? String == "e")
            }
            let fromPublish = try #require(flow(into: recorded.root), "a flow from the root's publish")
            #expect(fromPublish.start["tid"] as? Int == tidOf["publishers"])
            #expect(fromPublish.start["ts"] as? Int == Int((recorded.root.milliseconds - recorded.start) * 1000))
        }

        /// Runs `agentbus` pointed at no broker (any attempt to read the cluster would fail): for
        /// what must work from a saved log alone.
        func offline(_ arguments: [String]) async throws -> CLIResult {
            let process = try ChildProcess(arguments + ["--brokers", "127.0.0.1:1"], capturingStandardError: true)
            let status = await process.waitForExit()
            return CLIResult(status: status, output: process.lines, errors: process.errorLines)
        }

        /// The text after `prefix` on the first line that starts with it.
        func value(of prefix: String, in lines: [String]) -> String? {
            lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
    }
}

extension EventEnvelope {
    /// `ce_time` in ms since 1970 (every event the runtime and the CLI publish has one).
    fileprivate var milliseconds: Int64 { time!.millisecondsSinceEpoch }
}

/// The topic of one of the replay workflow's events (its schema's `x-agentbus-topic`).
private func topic(of event: EventEnvelope) -> String {
    switch event.type {
    case TestTypes.work: TestTypes.workTopic
    case TestTypes.left: TestTypes.leftTopic
    case TestTypes.right: TestTypes.rightTopic
    default: TestTypes.doneTopic
    }
}
