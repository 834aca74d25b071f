import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    @Suite("Hop limit")
    struct HopLimitTests {
        @Test("a ping-pong loop stops at the hop limit with a budget dead letter where the over-limit event arrived")
        func loopStops() async throws {
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: ["--agent", "test-ping", "--agent", "test-pong", "--retry-delays", "none"])
            let limit = ["AGENTBUS_TEST_HOP_LIMIT": "5"]
            let ping = try AgentProcess.testAgent(role: "ping", instance: "ping-1", broker: broker, environment: limit)
            let pong = try AgentProcess.testAgent(role: "pong", instance: "pong-1", broker: broker, environment: limit)
            try await ping.waitUntilAssigned()
            try await pong.waitUntilAssigned()
            let topics = [TestTypes.pingTopic, TestTypes.pongTopic, "test-ping.dlt", "test-pong.dlt", AgentTopics.activity]
            let watcher = try await TopicWatcher.start(topics, broker: broker)

            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let root = publisher.root(TestTypes.ping, Array(#"{"n":0}"#.utf8))
            try await publisher.send(root)
            await publisher.close()

            // Ping hops 0, 2, 4 and 6; pong hops 1, 3 and 5. test-ping handles hops 0, 2 and 4 and
            // receives hop 6, past the limit of 5; test-pong handles 1, 3 and 5 (5 is not past it).
            let rejected: @Sendable (TopicWatcher.Contents) -> Bool = { contents in
                contents.activity.contains { $0.outcome == .rejected }
            }
            let stopped = await watcher.waitFor { $0.count("test-ping.dlt") >= 1 && rejected($0) }
            #expect(stopped, "\(ping.tail)\n\(pong.tail)")

            // Every activity record is in: 3 handled by ping, 3 by pong, 1 rejected. The rejected
            // event published nothing, so nothing can follow it: the loop is over.
            #expect(await watcher.waitFor { $0.count(AgentTopics.activity) >= 7 })
            let activity = watcher[AgentTopics.activity].compactMap { $0.decode(ActivityRecord.self) }
            let summary = activity.map { "\($0.agent) \($0.outcome.rawValue) \($0.published.count)" }.sorted()
            #expect(summary == [
                "test-ping ok 1", "test-ping ok 1", "test-ping ok 1", "test-ping rejected 0",
                "test-pong ok 1", "test-pong ok 1", "test-pong ok 1",
            ], "\(summary)")

            let pings = watcher[TestTypes.pingTopic].compactMap(\.envelope)
            let pongs = watcher[TestTypes.pongTopic].compactMap(\.envelope)
            #expect(pings.map(\.hops).sorted() == [0, 2, 4, 6])
            #expect(pongs.map(\.hops).sorted() == [1, 3, 5])
            #expect((pings + pongs).allSatisfy { $0.correlationID == root.id })
            #expect(pings.compactMap { $0.decode(CountPayload.self)?.n }.sorted() == [0, 2, 4, 6])

            let deadLetters = watcher["test-ping.dlt"]
            #expect(deadLetters.count == 1)
            #expect(watcher["test-pong.dlt"].isEmpty)
            let deadLetter = try #require(deadLetters.first)
            #expect(deadLetter.header(RuntimeHeader.failureClass) == "budget")
            #expect(deadLetter.header(RuntimeHeader.agent) == "test-ping")
            #expect(deadLetter.header(RuntimeHeader.attempts) == "0")
            #expect(deadLetter.header(EnvelopeHeader.hops) == "6")
            #expect(deadLetter.header(RuntimeHeader.originalTopic) == TestTypes.pingTopic)
            #expect(deadLetter.header(RuntimeHeader.exceptionMessage)?.contains("hop limit 5") == true)
            let overLimit = try #require(pings.first { $0.hops == 6 })
            #expect(deadLetter.header(EnvelopeHeader.id) == overLimit.id)
            await watcher.stop()
            await stopAll([ping, pong], broker)
        }
    }
}

extension EventEnvelope {
    /// The payload decoded as JSON into `type`.
    func decode<T: Decodable>(_ type: T.Type) -> T? { try? JSONDecoder().decode(type, from: Data(data)) }
}
