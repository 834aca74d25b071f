import AgentBus
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    @Suite("Redriving dead letters")
    struct RedriveTests {
        static let agent = "test-worker"
        /// The test agent has no retry delays: its one retry topic is the 0 s tier.
        static let retryTopic = "test-worker.retry.0s"
        static let deadLetterTopic = "test-worker.dlt"

        func list(_ broker: DevBrokerProcess) async throws -> JSONValue {
            let result = try await agentbus(["dlt", "list", Self.agent, "--json"], broker)
            #expect(result.status == 0, "\(result.errors)")
            return try #require(result.output.first.flatMap { try? JSONValue(parsing: $0) })
        }

        func retryEnds(_ broker: DevBrokerProcess) async throws -> [KafkaTopicPartition: Int64] {
            try await snapshot([Self.retryTopic], broker).endOffsets
        }

        @Test("a dead letter redriven after its cause is fixed is handled once; --dry-run changes nothing")
        func redriveAfterFix() async throws {
            let broker = try await DevBrokerProcess.start(schemas: Paths.fixtureSchemas, arguments: ["--agent", Self.agent, "--retry-delays", "none"])
            let worker = try AgentProcess.testAgent(role: "worker", instance: "worker-1", broker: broker)
            try await worker.waitUntilAssigned()
            let watcher = try await TopicWatcher.start(
                [Self.deadLetterTopic, TestTypes.doneTopic, AgentTopics.activity], broker: broker)

            // The cause: a file the handler fails on while it exists.
            let cause = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-cause-\(UUID().uuidString)")
            try Data("broken".utf8).write(to: cause)
            defer { try? FileManager.default.removeItem(at: cause) }
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let event = publisher.root(
                TestTypes.work, WorkPayload(id: "fixable", seq: 0, behavior: "fail-while-file", file: cause.path).json)
            let sentAt = try await publisher.send(event)
            await publisher.close()

            #expect(await watcher.waitFor { $0.count(Self.deadLetterTopic) >= 1 }, "\(worker.tail)")
            let deadLetter = try #require(watcher[Self.deadLetterTopic].first)
            #expect(deadLetter.header(RuntimeHeader.failureClass) == "transient")
            #expect(deadLetter.header(RuntimeHeader.attempts) == "3")
            #expect(deadLetter.header(EnvelopeHeader.id) == event.id)
            let before = try await list(broker)
            #expect(before["pending"]?.numberValue == JSONNumber(1) && before["redriven"]?.numberValue == JSONNumber(0), "\(before)")

            // The fix.
            try FileManager.default.removeItem(at: cause)

            // A dry run says what it would do and sends nothing.
            let endsBefore = try await retryEnds(broker)
            let dryRun = try await agentbus(["dlt", "redrive", Self.agent, "--dry-run"], broker)
            #expect(dryRun.status == 0, "\(dryRun.errors)")
            #expect(dryRun.output.contains { $0.hasPrefix("would redrive") && $0.contains("id=\(event.id)") }, "\(dryRun.output)")
            #expect(dryRun.output.last?.contains("dry run: nothing sent") == true, "\(dryRun.output)")
            #expect(try await retryEnds(broker) == endsBefore, "the dry run wrote nothing to \(Self.retryTopic)")
            let afterDryRun = try await list(broker)
            #expect(afterDryRun["pending"]?.numberValue == JSONNumber(1), "\(afterDryRun)")
            #expect(watcher.contents.count(TestTypes.doneTopic) == 0)

            // The redrive: the agent handles the event again, from its retry topic, and succeeds.
            let redrive = try await agentbus(["dlt", "redrive", Self.agent], broker)
            #expect(redrive.status == 0, "\(redrive.errors)")
            #expect(redrive.output.last == "redrove 1 dead letter(s) to \(Self.retryTopic)", "\(redrive.output)")
            let handledAgain: @Sendable (TopicWatcher.Contents) -> Bool = { contents in
                contents.activity.contains { $0.eventId == event.id && $0.topic == Self.retryTopic }
            }
            #expect(await watcher.waitFor { $0.count(TestTypes.doneTopic) >= 1 && handledAgain($0) }, "\(worker.tail)")

            // Once: one Done, from a fresh first attempt, and one handling from the retry topic.
            let done = watcher[TestTypes.doneTopic]
            #expect(done.compactMap { $0.decode(DonePayload.self) } == [DonePayload(id: "fixable", seq: 0, attempt: 1)])
            #expect(done.first?.envelope?.causationID == event.id)
            #expect(done.first?.envelope?.id == EventID.derived(from: event.id, agent: Self.agent, type: TestTypes.done, index: 0).description)
            let activity = watcher[AgentTopics.activity].compactMap { $0.decode(ActivityRecord.self) }.filter { $0.eventId == event.id }
            #expect(activity.map(\.outcome) == [.deadLettered, .ok])
            #expect(activity.map(\.topic) == [TestTypes.workTopic, Self.retryTopic])
            #expect(activity.last?.published == [done.first?.envelope?.id].compactMap { $0 })
            #expect(watcher[Self.deadLetterTopic].count == 1, "the redriven event did not fail again")

            // The dead letter now reads as redriven, and a second redrive sends nothing.
            let after = try await list(broker)
            #expect(after["total"]?.numberValue == JSONNumber(1))
            #expect(after["pending"]?.numberValue == JSONNumber(0), "\(after)")
            #expect(after["redriven"]?.numberValue == JSONNumber(1), "\(after)")
            let again = try await agentbus(["dlt", "redrive", Self.agent], broker)
            #expect(again.status == 0)
            #expect(again.output.first?.hasPrefix("nothing to redrive") == true, "\(again.output)")
            #expect(sentAt.topic == TestTypes.workTopic)
            await watcher.stop()
            await stopAll([worker], broker)
        }
    }
}
