import AgentBus
import AgentBusReplay
import Foundation
import Testing

/// `ReplayLog.recordedWorkflow(_:agent:)`: what a rerun gets from a log, and the effect-journal
/// records a saved log carries, on hand-made logs.
@Suite("Recorded workflows for reruns")
struct ReplayRecordedWorkflowTests {
    /// Workflow `c1`: the CLI's root `e1`, handled by `scorer` (two attempts) into `e2`, which
    /// `notifier` handled; `scorer` also dead-lettered `e3`. Workflow `c2` has journal entries
    /// of its own.
    func fixture() -> ReplayLogFixture {
        var log = ReplayLogFixture()
        log.event("e1", correlation: "c1", at: 0)
        log.event("e2", type: "test.agentbus.done.v1", correlation: "c1", cause: "e1", source: "/agents/scorer", at: 10,
                  topic: "test.done", data: #"{"score":7}"#)
        log.event("e3", correlation: "c1", cause: "e1", source: "/cli", at: 20)
        log.event("x1", correlation: "c2", at: 30)
        log.handled("e1", by: "scorer", correlation: "c1", received: 1, started: 2, finished: 9, attempts: 2, published: ["e2"])
        log.handled("e2", by: "notifier", correlation: "c1", received: 11, started: 12, finished: 13)
        log.handled(
            "e3", by: "scorer", correlation: "c1", outcome: .deadLettered, received: 21, started: 22, finished: 23,
            failureClass: .permanent, error: "refused")
        log.journaled("e1", effect: "lookup", by: "scorer", correlation: "c1", value: #"{"score":1}"#)
        log.journaled("e1", effect: "lookup", by: "scorer", correlation: "c1", value: #"{"score":6}"#)
        log.journaled("e1", effect: "agentbus.handled", by: "scorer", correlation: "c1", value: #"["e2"]"#)
        log.journaled("e1", effect: "old", by: "scorer", correlation: nil, value: nil)
        log.journaled("e2", effect: "send", by: "notifier", correlation: "c1", value: "true")
        log.journaled("x1", effect: "lookup", by: "scorer", correlation: "c2", value: #"{"score":9}"#)
        return log
    }

    @Test("the agent's handlings, the events it handled and published, and its journal entries of the workflow, latest per key")
    func recording() throws {
        let recording = try fixture().log.recordedWorkflow("c1", agent: "scorer")
        #expect(recording.agent == "scorer" && recording.correlationID == "c1")
        #expect(recording.events.map(\.id) == ["e1", "e2", "e3"], "not the notifier's input only: e2 is scorer's output")
        #expect(recording.handlings == [
            RecordedWorkflow.Handling(eventID: "e1", outcome: .ok, attempts: 2, published: ["e2"]),
            RecordedWorkflow.Handling(eventID: "e3", outcome: .deadLettered, attempts: 1),
        ])
        #expect(recording.journal == [
            RecordedWorkflow.JournalEntry(eventID: "e1", effect: "lookup", result: Array(#"{"score":6}"#.utf8))
        ], "the latest result; no handled marker, tombstone, other agent's or other workflow's entry")

        let other = try fixture().log.recordedWorkflow("c1", agent: "nobody")
        #expect(other.handlings.isEmpty && other.journal.isEmpty)
        #expect(throws: ReplayLogError.self) { try fixture().log.recordedWorkflow("c9", agent: "scorer") }
    }

    @Test("a log saved with one workflow keeps its journal entries, and only those; the views do not change")
    func savedJournal() throws {
        let log = fixture().log
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-journal-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try log.write(to: file, correlationID: "c1")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.filter { $0.contains(".journal\"") }.count == 4, "c1's three scorer records and the notifier's")
        #expect(!lines.contains { $0.contains("x1/lookup") })
        let loaded = try ReplayLog.load(path: file)
        #expect(try loaded.recordedWorkflow("c1", agent: "scorer").journal == log.recordedWorkflow("c1", agent: "scorer").journal)
        #expect(loaded.workflow("c1")?.nodes.map(\.id) == log.workflow("c1")?.nodes.map(\.id))
        #expect(loaded.lint(nil).map(\.kind) == log.lint(nil).map(\.kind))
        #expect(!log.lint(nil).contains { $0.kind == .malformedRecord }, "journal records are not foreign records")
        #expect(log.workflow("c1")?.nodes.count == 3, "journal records are not events")
    }
}
