import AgentBus
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    @Suite("Activity records and heartbeats")
    struct ActivityTests {
        static let agent = "test-worker"

        @Test("each handled event writes an activity record: agent, event ID, outcome and the IDs it published")
        func activityRecords() async throws {
            let broker = try await DevBrokerProcess.start(schemas: Paths.fixtureSchemas, arguments: ["--agent", Self.agent, "--retry-delays", "none"])
            let worker = try AgentProcess.testAgent(role: "worker", instance: "worker-1", broker: broker)
            try await worker.waitUntilAssigned()
            let watcher = try await TopicWatcher.start([AgentTopics.activity, TestTypes.doneTopic], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let ok = publisher.root(TestTypes.work, WorkPayload(id: "ok", seq: 0, behavior: "ok").json)
            let permanent = publisher.root(TestTypes.work, WorkPayload(id: "no", seq: 1, behavior: "permanent").json)
            let invalid = publisher.root(TestTypes.work, Array(#"{"id":"bad","seq":-1,"behavior":"ok"}"#.utf8))
            var offsets: [String: KafkaDeliveryReport] = [:]
            for event in [ok, permanent, invalid] { offsets[event.id] = try await publisher.send(event) }
            let poisonAt = try await publisher.sendRaw(topic: TestTypes.workTopic, key: "raw", value: Array("raw".utf8), headers: [])
            await publisher.close()

            #expect(await watcher.waitFor { $0.count(AgentTopics.activity) >= 4 && $0.count(TestTypes.doneTopic) >= 1 }, "\(worker.tail)")
            let records = watcher[AgentTopics.activity]
            #expect(records.count == 4)
            let activity = records.compactMap { $0.decode(ActivityRecord.self) }
            #expect(activity.count == records.count, "every activity record is ActivityRecord JSON")
            #expect(activity.allSatisfy { $0.agent == Self.agent && $0.instance == "worker-1" })
            func record(for id: String?) -> ActivityRecord? { activity.first { $0.eventId == id } }

            let done = try #require(watcher[TestTypes.doneTopic].first?.envelope)
            let handled = try #require(record(for: ok.id))
            #expect(handled.outcome == .ok)
            #expect(handled.published == [done.id])
            #expect(done.causationID == ok.id)
            #expect(handled.attempts == 1)
            #expect(handled.type == TestTypes.work)
            #expect(handled.correlationId == ok.correlationID)
            #expect(handled.failureClass == nil && handled.error == nil)
            #expect(handled.topic == TestTypes.workTopic)
            #expect(handled.partition == offsets[ok.id]?.partition && handled.offset == offsets[ok.id]?.offset)
            #expect(handled.receivedAt <= handled.startedAt && handled.startedAt <= handled.finishedAt)

            let refused = try #require(record(for: permanent.id))
            #expect(refused.outcome == .deadLettered)
            #expect(refused.failureClass == .permanent)
            #expect(refused.published.isEmpty)
            #expect(refused.attempts == 1)
            #expect(refused.error?.contains("refused no for good") == true)

            let rejected = try #require(record(for: invalid.id))
            #expect(rejected.outcome == .rejected)
            #expect(rejected.failureClass == .schema)
            #expect(rejected.published.isEmpty)
            #expect(rejected.attempts == 0)
            #expect(rejected.error?.contains("/seq") == true, "\(rejected.error ?? "")")

            let poison = try #require(activity.first { $0.eventId == nil })
            #expect(poison.outcome == .rejected)
            #expect(poison.failureClass == .poison)
            #expect(poison.partition == poisonAt.partition && poison.offset == poisonAt.offset)
            await watcher.stop()
            await stopAll([worker], broker)
        }

        @Test("agentbus agents shows the live instance with its handled count from its heartbeats")
        func agentsCommand() async throws {
            let broker = try await DevBrokerProcess.start(schemas: Paths.fixtureSchemas, arguments: ["--agent", Self.agent, "--retry-delays", "none"])
            let worker = try AgentProcess.testAgent(
                role: "worker", instance: "worker-hb", broker: broker, heartbeatInterval: 2)
            try await worker.waitUntilAssigned()
            let watcher = try await TopicWatcher.start([AgentTopics.heartbeats], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            try await publisher.sendAll((0..<3).map { publisher.root(TestTypes.work, WorkPayload(id: "hb-\($0)", seq: $0, behavior: "ok").json) })
            await publisher.close()

            // A heartbeat that counts the three handled events.
            let counted = await watcher.waitFor { contents in
                contents[AgentTopics.heartbeats].contains { $0.decode(Heartbeat.self).map { $0.handled == 3 && $0.status == .running } ?? false }
            }
            #expect(counted, "\(worker.tail)")
            let live = try await agentbus(["agents", "--json"], broker)
            #expect(live.status == 0, "\(live.errors)")
            let rows = live.output.compactMap { try? JSONValue(parsing: $0) }
            #expect(rows.count == 1, "\(live.output)")
            #expect(rows.first?["agent"]?.stringValue == Self.agent)
            #expect(rows.first?["instance"]?.stringValue == "worker-hb")
            #expect(rows.first?["live"] == .bool(true))
            #expect(rows.first?["handled"]?.numberValue == JSONNumber(3), "\(live.output)")

            // Stopped: its last heartbeat says so, and it is no longer listed as live.
            #expect(await worker.stop() == 0)
            #expect(await watcher.waitFor { contents in
                contents[AgentTopics.heartbeats].contains { $0.decode(Heartbeat.self)?.status == .stopped }
            })
            let after = try await agentbus(["agents"], broker)
            #expect(after.output == ["no live agent instances"], "\(after.output)")
            await watcher.stop()
            await stopAll([], broker)
        }
    }
}
