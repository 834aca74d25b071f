import AgentBus
import JSONSchema
import Testing

/// `RerunDiff` and the JSON Lines a rerun passes between `agentbus` and an agent's executable:
/// pure logic, no Kafka.
@Suite("Rerun diff")
struct RerunDiffTests {
    let input = EventEnvelope(
        id: "in-1", source: "/cli", type: "test.agentbus.work.v1", correlationID: "c1", key: "c1",
        data: Array(#"{"id":"w","seq":0}"#.utf8))

    func output(_ name: String, _ json: String, type: String = "test.agentbus.done.v1") -> EventEnvelope {
        input.child(type: type, data: Array(json.utf8), agent: "scorer", output: .name(name))
    }

    func recording(_ outputs: [EventEnvelope], published: [String]? = nil, outcome: ActivityRecord.Outcome = .ok) -> RecordedWorkflow {
        RecordedWorkflow(
            agent: "scorer", correlationID: "c1", events: [input] + outputs,
            handlings: [RecordedWorkflow.Handling(eventID: input.id, outcome: outcome, attempts: 2, published: published ?? outputs.map(\.id))],
            journal: [RecordedWorkflow.JournalEntry(eventID: input.id, effect: "chat-0", result: Array(#"{"content":"é"}"#.utf8))])
    }

    func number(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }

    @Test("unchanged, changed (nested fields, arrays, added and removed members), added and removed outputs")
    func changes() throws {
        let same = output("same", #"{"a":1,"b":[1,2]}"#)
        let old = output("edited", #"{"score":7,"detail":{"why":"x","drop":true},"list":[1,2,3],"odd key":1}"#)
        let new = output("edited", #"{"list":[1,5],"detail":{"why":"y","extra":null},"score":7,"odd key":2}"#)
        let gone = output("gone", #"{"n":1}"#)
        let fresh = output("fresh", #"{"n":2}"#)
        let diff = RerunDiff(
            recording: recording([same, old, gone]),
            outcomes: [RerunOutcome(eventID: input.id, type: input.type, outputs: [new, same, fresh])])
        let outputs = try #require(diff.inputs.first?.outputs)
        #expect(outputs.map(\.id) == [same.id, old.id, gone.id, fresh.id])
        #expect(outputs[0].change == .unchanged, "equal as JSON, member order aside")
        #expect(outputs[1].change == .changed([
            RerunDiff.FieldChange(path: "detail.why", recorded: .string("x"), now: .string("y")),
            RerunDiff.FieldChange(path: "detail.drop", recorded: .bool(true), now: nil),
            RerunDiff.FieldChange(path: "detail.extra", recorded: nil, now: .null),
            RerunDiff.FieldChange(path: "list[1]", recorded: number(2), now: number(5)),
            RerunDiff.FieldChange(path: "list[2]", recorded: number(3), now: nil),
            RerunDiff.FieldChange(path: #"["odd key"]"#, recorded: number(1), now: number(2)),
        ]))
        #expect(outputs[2].change == .removed && outputs[3].change == .added)
        #expect(diff.hasDifferences && diff.errors.isEmpty)
        #expect(diff.counts == (unchanged: 1, changed: 1, added: 1, removed: 1))
        #expect(diff.text.split(separator: "\n").map(String.init) == [
            "rerun of scorer on workflow c1: 1 event",
            "test.agentbus.work.v1 in-1",
            "  = test.agentbus.done.v1 \(same.id)",
            "  ~ test.agentbus.done.v1 \(old.id)",
            "      ~ detail.why: \"x\" → \"y\"",
            "      - detail.drop: true",
            "      + detail.extra: null",
            "      ~ list[1]: 2 → 5",
            "      - list[2]: 3",
            "      ~ [\"odd key\"]: 1 → 2",
            "  - test.agentbus.done.v1 \(gone.id)",
            "      {\"n\":1}",
            "  + test.agentbus.done.v1 \(fresh.id)",
            "      {\"n\":2}",
            "outputs: 1 unchanged, 1 changed, 1 added, 1 removed; 0 errors",
        ])
        #expect(diff.json["counts"]?["changed"] == number(1))
        #expect(diff.json["inputs"]?.arrayValue?.first?["outputs"]?.arrayValue?[1]["fields"]?.arrayValue?.first
            == .object(JSONObject(["path": .string("detail.why"), "recorded": .string("x"), "now": .string("y")])))
    }

    @Test("a type change; an error; only handlings that ended ok are rerun; published IDs not in the log are named")
    func inputsAndErrors() throws {
        let old = output("x", #"{"n":1}"#)
        var retyped = old
        retyped.type = "test.agentbus.left.v1"
        let typeChange = RerunDiff(
            recording: recording([old]), outcomes: [RerunOutcome(eventID: input.id, type: input.type, outputs: [retyped])])
        #expect(typeChange.inputs.first?.outputs.first?.change == .changed([
            RerunDiff.FieldChange(path: "type", recorded: .string(old.type), now: .string(retyped.type))
        ]))

        let failed = RerunDiff(
            recording: recording([old], published: [old.id, "lost"]),
            outcomes: [RerunOutcome(eventID: input.id, type: input.type, outputs: [], error: "EffectError: not in the journal")])
        #expect(failed.errors.map(\.eventID) == [input.id])
        #expect(failed.inputs.first?.unrecorded == ["lost"])
        #expect(failed.text.contains("  ! EffectError: not in the journal"))
        #expect(failed.text.contains("  ? lost: published in the recording but not in the log, so not compared"))

        #expect(RerunDiff(recording: recording([old], outcome: .deadLettered), outcomes: []).inputs.isEmpty)
    }

    @Test("a recording and outcomes read back from their JSON Lines as they were written")
    func jsonLines() throws {
        let recorded = recording([output("x", #"{"n":1}"#)])
        let read = try RecordedWorkflow(jsonLines: recorded.jsonLines, source: "test")
        #expect(read.agent == recorded.agent && read.correlationID == recorded.correlationID)
        #expect(read.events == recorded.events)
        #expect(read.handlings == recorded.handlings)
        #expect(read.journal == recorded.journal)

        let outcomes = [
            RerunOutcome(eventID: "in-1", type: input.type, outputs: recorded.events, error: nil),
            RerunOutcome(eventID: "in-2", type: input.type, outputs: [], error: "boom"),
        ]
        let back = try RerunOutcome.read(
            jsonLines: RerunOutcome.jsonLines(outcomes, agent: "scorer", correlationID: "c1"), source: "test")
        #expect(back.map(\.eventID) == ["in-1", "in-2"])
        #expect(back.map(\.outputs) == outcomes.map(\.outputs))
        #expect(back.map(\.error) == [nil, "boom"])

        #expect(throws: RerunError("test does not start with {\"format\":\"agentbus-rerun-recording\",...}")) {
            try RecordedWorkflow(jsonLines: Array(#"{"format":"other"}"#.utf8), source: "test")
        }
        #expect(throws: RerunError("test, line 2: not JSON (unexpected end of input in an object at byte 1)")) {
            try RecordedWorkflow(jsonLines: Array(recorded.jsonLines.prefix(while: { $0 != 10 })) + Array("\n{\n".utf8), source: "test")
        }
    }
}
