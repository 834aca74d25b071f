import AgentBus
import AgentBusTesting
import Kafka
import Testing

@Suite("AgentHarness", .serialized, .timeLimit(.minutes(2)))
struct AgentHarnessTests {
    struct Worker: Agent {
        let name = "harness-worker"
        var policies: AgentPolicies { AgentPolicies(retry: .none) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { work, context in
                if work.behavior == "permanent" { throw PermanentFailure("refused \(work.id)") }
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        }
    }

    @Test("runs the agent on an embedded cluster: outputs and dead letters awaited, then a clean stop that commits")
    func roundTrip() async throws {
        let harness = try AgentHarness(Worker(), schemas: Fixtures.schemas, partitions: 2)
        var inputs: [EventEnvelope] = []
        for (seq, behavior) in ["ok", "permanent", "ok"].enumerated() {
            inputs.append(try await harness.publish(Work(id: "w\(seq)", seq: seq, behavior: behavior), key: "one-key").envelope)
        }
        let done = try await harness.events(Done.self, count: 2)
        #expect(done.map(\.seq).sorted() == [0, 2])
        let envelopes = try await harness.envelopes(of: Done.eventType, count: 2)
        #expect(Set(envelopes.compactMap(\.causationID)) == [inputs[0].id, inputs[2].id])
        let deadLetters = try await harness.deadLetters(count: 1)
        #expect(deadLetters.first?.failureClass == .permanent)
        #expect(deadLetters.first?.reason == "refused w1")
        try await harness.stop()

        // Stopped cleanly: the group committed past all three inputs.
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [harness.cluster.bootstrapServers]))
        let partition = try #require(deadLetters.first?.originalPartition)
        let committed = try await admin.committedOffsets(
            group: "harness-worker", partitions: [KafkaTopicPartition(topic: "test.work", partition: partition)])
        #expect(committed.first?.offset == 3)
    }

    @Test("awaiting what never comes ends in a timeout, not a hang")
    func timeout() async throws {
        let harness = try AgentHarness(Worker(), schemas: Fixtures.schemas)
        await #expect(throws: AgentHarness.Timeout.self) {
            try await harness.events(Done.self, count: 1, timeout: .milliseconds(500))
        }
        try await harness.stop()
    }
}
