import AgentBus
import AgentBusReplay
import AgentBusTesting
import Foundation
import JSONSchema
import Kafka
import Testing

/// `AgentRerun`: a workflow recorded by the real runtime on an embedded cluster (effects
/// journaled to `<agent>.journal`), read back by replay, and rerun with changed handlers in
/// process, with nothing live.
@Suite("AgentRerun", .serialized, .timeLimit(.minutes(2)))
struct AgentRerunTests {
    struct Lookup: Codable, Sendable {
        var score: Int
    }

    /// Scores each `Work` with the `lookup` effect, whose body counts its calls; `offset` and
    /// `extraEffect` make the changed handlers a rerun compares.
    struct Scorer: Agent {
        let name = "rerun-scorer"
        let calls: Counter
        var offset = 0
        var extraEffect = false
        let usesEffects = true
        var policies: AgentPolicies { AgentPolicies(retry: .none) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [calls, offset, extraEffect] work, context in
                let lookup = try await context.effect("lookup") { Lookup(score: 700 + calls.next()) }
                if extraEffect { _ = try await context.effect("second-opinion") { Lookup(score: calls.next()) } }
                try context.publish(Done(id: "\(work.id):\(lookup.score)", seq: work.seq + offset, attempt: context.attempt))
            }
        }
    }

    @Test("unchanged handler: no differences; changed output logic: the field; a new effect: an error; the effect body never runs")
    func rerunRecordedWorkflow() async throws {
        let calls = Counter()
        let harness = try AgentHarness(Scorer(calls: calls), schemas: Fixtures.schemas)
        let first = try await harness.publish(Work(id: "w0", seq: 0, behavior: "ok")).envelope
        let second = try await harness.publish(Work(id: "w1", seq: 1, behavior: "ok")).envelope
        _ = try await harness.activity(count: 2)
        try await harness.stop()
        #expect(calls.count == 2, "the recording ran the effect once per event")

        // Read back as replay reads it, with the journal entries of the first workflow only.
        let (records, metadata) = try await ReplayReader(snapshotReader: reader(harness.cluster), embeddedCluster: true)
            .read(journals: .workflow(first.correlationID, agent: "rerun-scorer"))
        #expect(!records.contains { $0.topic == "rerun-scorer.journal" && $0.headers.string(named: "agentbus_correlation_id") != first.correlationID },
                "another workflow's journal entries are dropped as they are read")
        let recording = try ReplayLog(records: records, metadata: metadata).recordedWorkflow(first.correlationID, agent: "rerun-scorer")
        #expect(recording.journal.map(\.effect) == ["lookup"], "the effect, not the handled marker")
        #expect(recording.journal.first?.result == Array(#"{"score":701}"#.utf8))
        let recorded = try #require(recording.events.first { $0.causationID == first.id })
        let recordedDone = try recorded.decode(as: Done.self)
        #expect(recordedDone.id == "w0:701" && recordedDone.seq == 0)

        let same = try await AgentRerun(Scorer(calls: calls), schemas: Fixtures.registry).run(recording)
        #expect(!same.hasDifferences && same.errors.isEmpty, "\(same.text)")
        #expect(same.inputs.map(\.eventID) == [first.id])
        #expect(same.inputs.first?.outputs.map(\.change) == [.unchanged])

        let changed = try await AgentRerun(Scorer(calls: calls, offset: 1), schemas: Fixtures.registry).run(recording)
        #expect(changed.hasDifferences)
        let output = try #require(changed.inputs.first?.outputs.first)
        #expect(output.id == recorded.id)
        #expect(output.change == .changed([RerunDiff.FieldChange(path: "seq", recorded: .number(JSONNumber(0)), now: .number(JSONNumber(1)))]))
        #expect(changed.text.contains("      ~ seq: 0 → 1"), "\(changed.text)")

        let extra = try await AgentRerun(Scorer(calls: calls, extraEffect: true), schemas: Fixtures.registry).run(recording)
        let error = try #require(extra.errors.first?.error, "\(extra.text)")
        #expect(error.contains("EffectError") && error.contains("second-opinion") && error.contains("not in the journal"), "\(error)")
        #expect(extra.inputs.first?.outputs.map(\.change) == [.removed], "a failed rerun published nothing")

        #expect(calls.count == 2, "no rerun ran an effect body")

        // A log read whole, saved with one workflow: the other's journal entries stay out, and
        // the saved file reruns the same.
        let (everything, everythingMetadata) = try await ReplayReader(snapshotReader: reader(harness.cluster), embeddedCluster: true)
            .read(journals: .all)
        let whole = ReplayLog(records: everything, metadata: everythingMetadata)
        #expect(try whole.recordedWorkflow(second.correlationID, agent: "rerun-scorer").journal.map(\.eventID) == [second.id])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-rerun-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try whole.write(to: file, correlationID: first.correlationID)
        let saved = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").filter { $0.contains(#""topic":"rerun-scorer.journal""#) }
        #expect(saved.count == 2, "the first workflow's effect and handled marker: \(saved)")
        #expect(saved.allSatisfy { $0.contains(first.correlationID) && !$0.contains(second.correlationID) })
        let reloaded = try ReplayLog.load(path: file).recordedWorkflow(first.correlationID, agent: "rerun-scorer")
        let fromFile = try await AgentRerun(Scorer(calls: calls, offset: 1), schemas: Fixtures.registry).run(reloaded)
        #expect(fromFile.inputs.first?.outputs.first?.change == output.change)
    }

    func reader(_ cluster: EmbeddedCluster) -> TopicSnapshotReader {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: "replaced")
        configuration.tuneForEmbeddedCluster()
        return TopicSnapshotReader(consumerConfiguration: configuration)
    }
}
