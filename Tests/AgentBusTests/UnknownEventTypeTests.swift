@testable import AgentBus
import AgentBusTesting
import Foundation
import Kafka
import Testing

/// What the runtime does with a record of a type it has no handler for, on a topic it reads:
/// a type in the catalog is another agent's and is skipped; a type the catalog does not know
/// is dead-lettered as poison, since no agent could handle it.
@Suite("Unknown event types", .serialized, .timeLimit(.minutes(2)))
struct UnknownEventTypeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas").path

    struct Work: TypedEvent {
        static let eventType = "test.agentbus.work.v1"
        var id: String
        var seq: Int
        var behavior: String
    }

    struct Done: TypedEvent {
        static let eventType = "test.agentbus.done.v1"
        var id: String
        var seq: Int
        var attempt: Int
    }

    /// Handles only `Work`; `Done` is in the catalog (another agent's type, here).
    struct Worker: Agent {
        let name = "type-guard-worker"
        var policies: AgentPolicies { AgentPolicies(retry: .none) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { work, context in
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        }
    }

    @Test("an unknown type is dead-lettered as poison with its reason; a known type without a handler is skipped; the agent goes on")
    func unknownTypeIsDeadLettered() async throws {
        let harness = try AgentHarness(Worker(), schemas: Self.fixtures, partitions: 1, instanceID: "type-guard")
        // A foreign producer writes straight to the agent's topic, past any catalog check.
        let foreign = try KafkaProducer(configuration: .init(bootstrapServers: [harness.cluster.bootstrapServers]))
        let unknown = EventEnvelope.root(
            type: "test.agentbus.unknown.v1", source: "/foreign", data: Array(#"{"hello": "world"}"#.utf8), key: "one-key")
        let unhandled = EventEnvelope.root(
            type: Done.eventType, source: "/foreign", data: Array(#"{"id": "d", "seq": 0, "attempt": 1}"#.utf8),
            key: "one-key")
        for envelope in [unknown, unhandled] {
            try await foreign.send(topic: "test.work", key: envelope.key, value: envelope.data, headers: envelope.kafkaHeaders)
        }
        try await foreign.close()
        // One key, one partition: the valid event is read after both.
        let valid = try await harness.publish(Work(id: "w-after", seq: 1, behavior: "ok"), key: "one-key").envelope

        let done = try await harness.envelopes(of: Done.eventType, count: 1)
        #expect(done.map(\.causationID) == [valid.id])
        let deadLetters = try await harness.deadLetters(count: 1)
        let deadLetter = try #require(deadLetters.first)
        #expect(deadLetter.failureClass == .poison)
        #expect(deadLetter.errorType == "UnknownEventType")
        #expect(deadLetter.reason == "unknown event type test.agentbus.unknown.v1: no schema in the catalog")
        #expect(deadLetter.record.headers.string(named: EnvelopeHeader.id) == unknown.id)
        #expect(deadLetter.originalTopic == "test.work")
        #expect(deadLetter.originalOffset == 0)

        // Activity: the unknown type rejected as poison, the valid event handled; the known type
        // without a handler here has none.
        let activity = try await harness.activity(count: 2).sorted { $0.offset < $1.offset }
        #expect(activity.map(\.offset) == [0, 2])
        #expect(activity.map(\.outcome) == [.rejected, .ok])
        #expect(activity.first?.failureClass == .poison)
        #expect(activity.first?.error == "unknown event type test.agentbus.unknown.v1: no schema in the catalog")
        try await harness.stop()

        // Exactly one dead letter, and all three records finished (the skipped one too).
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [harness.cluster.bootstrapServers]))
        let dlt = KafkaTopicPartition(topic: AgentTopics.deadLetter(of: "type-guard-worker"), partition: 0)
        #expect(try await admin.watermarks(of: [dlt])[dlt]?.high == 1)
        let input = KafkaTopicPartition(topic: "test.work", partition: 0)
        let committed = try await admin.committedOffsets(group: "type-guard-worker", partitions: [input])
        #expect(committed.first?.offset == 3)
    }
}
