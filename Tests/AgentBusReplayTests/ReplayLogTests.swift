import Foundation
import Kafka
import Testing

@testable import AgentBus
@testable import AgentBusReplay

/// Graph building, status and every lint finding, on hand-made logs.
@Suite("Replay log")
struct ReplayLogTests {
    /// root → a (ok, publishes b and c) → b handled ok by sink; c dead-lettered by audit.
    static func branchingWorkflow() -> ReplayLogFixture {
        var log = ReplayLogFixture()
        log.registered("scorer", consumes: ["test.agentbus.work.v1"])
        log.registered("sink", consumes: ["test.agentbus.done.v1"])
        log.registered("audit", consumes: ["test.agentbus.audit.v1"])
        log.event("root", correlation: "wf", at: 0)
        log.handled("root", by: "scorer", correlation: "wf", received: 5, started: 6, finished: 20, published: ["b", "c"])
        log.event("b", type: "test.agentbus.done.v1", correlation: "wf", cause: "root", source: "/agents/scorer", at: 19, topic: "test.done", hops: 1)
        let c = log.event("c", type: "test.agentbus.audit.v1", correlation: "wf", cause: "root", source: "/agents/scorer", at: 20, topic: "test.audit", hops: 1)
        log.handled("b", by: "sink", correlation: "wf", received: 25, started: 26, finished: 30)
        log.handled("c", by: "audit", correlation: "wf", outcome: .deadLettered, received: 25, started: 26, finished: 90,
            attempts: 3, failureClass: .transient, error: "database down")
        log.deadLettered(c, by: "audit", failureClass: .transient, reason: "database down", at: 90)
        return log
    }

    @Test("builds the causal graph with handlings, dead letters and statuses")
    func graph() throws {
        let log = Self.branchingWorkflow().log
        let workflow = try #require(log.workflow("wf"))
        #expect(workflow.nodes.map(\.id) == ["root", "b", "c"])
        #expect(workflow.roots == [0])
        #expect(workflow.nodes[0].children == [1, 2])
        #expect(workflow.nodes[1].parent == 0 && workflow.nodes[2].parent == 0)
        #expect(workflow.nodes[0].handlings.map(\.agent) == ["scorer"])
        #expect(workflow.nodes[0].handlings[0].published == ["b", "c"])
        #expect(workflow.nodes.map(\.status) == [.ok, .ok, .deadLettered])
        #expect(workflow.nodes[2].deadLetters.first?.reason == "database down")
        #expect(workflow.nodes[2].deadLetters.first?.failureClass == .transient)
        #expect(workflow.status == .failed)
        #expect(workflow.startedAt == ReplayLogFixture.base)
        #expect(workflow.endedAt == ReplayLogFixture.base + 90)
        #expect(workflow.nodes[1].agent == "scorer")
        #expect(log.correlationID(ofEvent: "c") == "wf")
    }

    @Test("a waiting event makes a workflow running, then stalled once quiet past the threshold")
    func stalled() throws {
        var fixture = ReplayLogFixture()
        fixture.registered("scorer", consumes: ["test.agentbus.work.v1"])
        fixture.event("root", correlation: "wf", at: 0)
        fixture.readAt = ReplayLogFixture.base + 10_000
        let recent = try #require(fixture.log.workflow("wf", options: ReplayOptions(stallAfter: 60_000)))
        #expect(recent.status == .running)
        #expect(recent.nodes[0].status == .awaiting && recent.nodes[0].awaitedBy == ["scorer"])
        let stalled = try #require(fixture.log.workflow("wf", options: ReplayOptions(stallAfter: 5_000)))
        #expect(stalled.status == .stalled)
        let findings = fixture.log.lint("wf", options: ReplayOptions(stallAfter: 5_000))
        #expect(findings.map(\.kind) == [.stalled])
        #expect(findings[0].message.contains("waited for scorer"))
    }

    @Test("a redriven dead letter that later succeeded no longer fails the workflow")
    func resolvedDeadLetter() throws {
        var fixture = Self.branchingWorkflow()
        fixture.handled("c", by: "audit", correlation: "wf", received: 200, started: 201, finished: 210)
        let workflow = try #require(fixture.log.workflow("wf"))
        #expect(workflow.nodes[2].deadLetters.first?.resolved == true)
        #expect(workflow.nodes[2].status == .ok)
        #expect(workflow.status == .completed)
        #expect(fixture.log.lint("wf").isEmpty)
    }

    @Test("a healthy workflow lints clean; a retried handling marks the node retrying")
    func clean() throws {
        var fixture = ReplayLogFixture()
        fixture.event("root", correlation: "ok", at: 0)
        fixture.handled("root", by: "scorer", correlation: "ok", received: 1, started: 2, finished: 3)
        #expect(fixture.log.lint(nil).isEmpty)
        fixture.handled("root", by: "other", correlation: "ok", outcome: .retried, received: 1, started: 2, finished: 4,
            failureClass: .transient, error: "timeout")
        let workflow = try #require(fixture.log.workflow("ok"))
        #expect(workflow.nodes[0].status == .retrying)
    }

    @Test("lint: orphan, several roots, correlation break, effect before cause")
    func causalFindings() {
        var fixture = ReplayLogFixture()
        fixture.event("r1", correlation: "wf", at: 0)
        fixture.event("r2", correlation: "wf", at: 5)
        fixture.event("lost", correlation: "wf", cause: "never-seen", at: 10)
        fixture.event("early", correlation: "wf", cause: "r2", at: -5_000)
        fixture.event("x", correlation: "other", at: 0)
        fixture.event("jumped", correlation: "wf", cause: "x", at: 20)
        let kinds = fixture.log.lint("wf").map(\.kind)
        #expect(kinds.filter { $0 == .severalRoots }.count == 1)
        #expect(kinds.filter { $0 == .orphan }.count == 1)
        #expect(kinds.filter { $0 == .correlationBreak }.count == 1)
        #expect(kinds.filter { $0 == .effectBeforeCause }.count == 1)
        let orphan = fixture.log.lint("wf").first { $0.kind == .orphan }
        #expect(orphan?.eventID == "lost")
        #expect(orphan?.message.contains("never-seen") == true)
        #expect(orphan?.cause.isEmpty == false && orphan?.fix.isEmpty == false)
        // Within the tolerance, no finding.
        #expect(!fixture.log.lint("wf", options: ReplayOptions(skewTolerance: 10_000)).map(\.kind).contains(.effectBeforeCause))
    }

    @Test("lint: duplicate IDs, but not identical redelivered copies")
    func duplicates() throws {
        var fixture = ReplayLogFixture()
        fixture.event("root", correlation: "wf", at: 0)
        fixture.event("child", correlation: "wf", cause: "root", at: 5, data: #"{"n":1}"#)
        fixture.event("child", correlation: "wf", cause: "root", at: 9, data: #"{"n":1}"#)
        let workflow = try #require(fixture.log.workflow("wf"))
        #expect(workflow.nodes.count == 2)
        #expect(workflow.nodes[1].copies == 1)
        #expect(fixture.log.lint("wf").isEmpty)
        fixture.event("child", correlation: "wf", cause: "root", at: 12, data: #"{"n":2}"#)
        fixture.event("root", correlation: "elsewhere", at: 14)
        let findings = fixture.log.lint(nil).filter { $0.kind == .duplicateID }
        #expect(findings.count == 2)
    }

    @Test("lint: a causation cycle is reported and cut so the graph stays a forest")
    func cycle() throws {
        var fixture = ReplayLogFixture()
        fixture.event("a", correlation: "wf", cause: "b", at: 0)
        fixture.event("b", correlation: "wf", cause: "a", at: 1)
        fixture.event("self", correlation: "loop", cause: "self", at: 0)
        let findings = fixture.log.lint(nil)
        #expect(findings.filter { $0.kind == .cycle }.count == 2)
        let workflow = try #require(fixture.log.workflow("wf"))
        #expect(workflow.roots.count == 1)
        let root = workflow.roots[0]
        #expect(workflow.nodes[root].parent == nil)
        #expect(workflow.nodes[root].children.count == 1)
        #expect(workflow.nodes[workflow.nodes[root].children[0]].children.isEmpty)
    }

    @Test("lint: dead letters, with the agent's dlt commands as the fix")
    func deadLetters() {
        let findings = Self.branchingWorkflow().log.lint("wf")
        #expect(findings.map(\.kind) == [.deadLettered])
        #expect(findings[0].eventID == "c")
        #expect(findings[0].message.contains("audit.dlt (transient): database down"))
        #expect(findings[0].fix.contains("agentbus dlt redrive audit"))
    }

    @Test("malformed, foreign and stray records become findings, never crashes")
    func malformedInput() throws {
        var fixture = Self.branchingWorkflow()
        fixture.raw(topic: "test.work", value: Array("plain".utf8))
        fixture.raw(topic: "test.work", value: [1, 2], headers: [KafkaHeader(name: "ce_specversion", value: "1.0")])
        fixture.raw(topic: AgentTopics.activity, value: Array("{not json".utf8))
        fixture.handled("ghost", by: "sink", correlation: "wf", received: 1, started: 1, finished: 2)
        let log = fixture.log
        let input = log.inputFindings
        #expect(input.filter { $0.kind == .malformedRecord }.count == 3)
        #expect(input.contains { $0.message.contains("without CloudEvents headers") })
        #expect(input.contains { $0.message.contains("without a ce_id") })
        #expect(input.contains { $0.message.contains("activity record is not JSON") })
        let findings = log.lint("wf")
        #expect(findings.contains { $0.kind == .orphan && $0.eventID == "ghost" })
        #expect(try #require(log.workflow("wf")).unreadable.count == 1)
    }

    @Test("retention: a partition read from a low watermark above 0 is reported, naming the embedded cluster's limit")
    func retention() {
        var fixture = ReplayLogFixture()
        fixture.event("a", correlation: "wf", cause: "gone", at: 0)
        fixture.partitions = [
            ReplayPartitionRange(topic: "test.work", partition: 0, low: 120, high: 500, readFrom: 120),
            ReplayPartitionRange(topic: "test.done", partition: 0, low: 0, high: 5, readFrom: 0),
        ]
        let findings = fixture.log.lint("wf")
        let retention = findings.filter { $0.kind == .retention }
        #expect(retention.count == 1)
        #expect(retention.first?.message.contains("test.work") == true)
        #expect(retention.first?.cause.contains("5 MiB") == true)
    }

    @Test("summaries list every workflow with its root type, counts and status")
    func summaries() {
        var fixture = Self.branchingWorkflow()
        fixture.event("solo", type: "test.agentbus.done.v1", correlation: "second", at: 1_000, topic: "test.done")
        fixture.handled("solo", by: "sink", correlation: "second", received: 1_001, started: 1_002, finished: 1_010)
        let rows = fixture.log.summaries()
        #expect(rows.map(\.correlationID) == ["wf", "second"])
        #expect(rows[0].rootType == "test.agentbus.work.v1" && rows[0].eventCount == 3 && rows[0].status == .failed)
        #expect(rows[0].deadLetterCount == 1)
        #expect(rows[1].status == .completed && rows[1].duration == 10)
    }

    @Test("a saved log reads back to the same records, graph and findings")
    func saveAndLoad() throws {
        var fixture = Self.branchingWorkflow()
        fixture.raw(topic: "test.work", value: [0xFF, 0x00, 0x0A], headers: [KafkaHeader(name: "bin", value: [0, 1, 0xFF])])
        fixture.raw(topic: "test.work", value: Array("line one\nline two".utf8), headers: [KafkaHeader(name: "null", value: nil)])
        let log = fixture.log
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try log.write(to: path, correlationID: nil)
        let loaded = try ReplayLog.load(path: path)
        #expect(loaded.metadata == log.metadata)
        #expect(loaded.recordCount == log.recordCount)
        #expect(loaded.inputFindings == log.inputFindings)
        #expect(loaded.lint(nil) == log.lint(nil))
        #expect(loaded.summaries() == log.summaries())
        let original = try #require(log.workflow("wf"))
        let reloaded = try #require(loaded.workflow("wf"))
        #expect(reloaded.nodes.map(\.id) == original.nodes.map(\.id))
        #expect(reloaded.nodes.map(\.traceParent) == original.nodes.map(\.traceParent))
        // Every record comes back byte for byte.
        for number in 0..<Int32(log.recordCount) {
            let a = try log.store.record(number), b = try loaded.store.record(number)
            #expect(a.topic == b.topic && a.offset == b.offset && a.timestamp == b.timestamp)
            #expect(a.key == b.key && a.value == b.value)
            #expect(a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value))
        }
        // One workflow alone keeps its records and the registry.
        try log.write(to: path, correlationID: "wf")
        let single = try ReplayLog.load(path: path)
        #expect(single.correlationIDs == ["wf"])
        #expect(single.lint("wf") == log.lint("wf"))
    }

    @Test("a damaged or cut-short saved log loads what it can and reports the rest")
    func damagedFile() throws {
        let log = Self.branchingWorkflow().log
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try log.write(to: path, correlationID: nil)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert("{\"topic\": 12}", at: 2)
        lines.insert("garbage", at: 3)
        text = lines.joined(separator: "\n")
        text.removeLast(20)  // cut the last line short
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let damaged = try ReplayLog.load(path: path)
        let problems = damaged.inputFindings.filter { $0.kind == .malformedRecord }.map(\.message)
        #expect(problems.count == 3)
        #expect(problems.contains { $0.contains("ends in the middle") })
        #expect(damaged.recordCount == log.recordCount - 1)

        try "{\"hello\":1}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ReplayLogError.self) { try ReplayLog.load(path: path) }
        #expect(throws: ReplayLogError.self) { try ReplayLog.load(path: path + ".missing") }
    }

    @Test("redrive records: one event, or its subtree parents first")
    func eventRecords() throws {
        let log = Self.branchingWorkflow().log
        #expect(try log.eventRecords(from: "c", subtree: false).map(\.headers[EnvelopeHeader.id]?.string) == ["c"])
        let subtree = try log.eventRecords(from: "root", subtree: true).map { $0.headers[EnvelopeHeader.id]?.string }
        #expect(subtree == ["root", "b", "c"])
        #expect(throws: ReplayLogError.self) { try log.eventRecords(from: "nope", subtree: false) }
    }
}
