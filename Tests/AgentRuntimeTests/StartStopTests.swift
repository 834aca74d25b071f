import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// How soon an instance serves its first event, and how long a stop may take.
    @Suite("Starting and stopping")
    struct StartStopTests {
        static let topics = "test.work:2,test.done:2"
        /// The `--shutdown-deadline` of these tests, in seconds.
        static let deadline = 2
        /// What a stop may take beyond its deadline here: the runtime's grace (1 s) plus process
        /// start-up and exit on a busy machine.
        static let stopMargin = Duration.seconds(3)

        @Test("the first event published once an instance reads is handled and its output acknowledged well within a second")
        func firstEventIsNotHeldBack() async throws {
            let broker = try await DevBrokerProcess.start(
                topics: Self.topics, schemas: Paths.fixtureSchemas, arguments: ["--agent", CrashTests.agent])
            // Created before the agent is ready, as a publishing application would be: connected
            // by the time it publishes its first event.
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let watcher = try await TopicWatcher.start([TestTypes.doneTopic], broker: broker)
            let agent = try AgentProcess.testAgent(role: "worker", instance: "first-1", broker: broker)
            try await agent.waitUntilAssigned()

            let start = ContinuousClock.now
            try await publisher.send(
                publisher.root(TestTypes.work, WorkPayload(id: "first", seq: 0, behavior: "ok").json))
            let done = await watcher.waitFor(timeout: .seconds(30)) { $0.count(TestTypes.doneTopic) >= 1 }
            let elapsed = ContinuousClock.now - start
            #expect(done, "no output\n\(agent.tail)")
            // Measured on 2 cores: about 1 s when the first send to a topic waits for
            // librdkafka's topic scan; tens of milliseconds when it does not.
            #expect(elapsed < .milliseconds(600), "the first event took \(elapsed) from publish to output\n\(agent.tail)")

            await watcher.stop()
            await publisher.close()
            await stopAll([agent], broker)
        }

        @Test("SIGTERM after the broker died: the instance exits 0 within the shutdown deadline and a little more")
        func stopWithBrokerGone() async throws {
            let broker = try await DevBrokerProcess.start(
                topics: Self.topics, schemas: Paths.fixtureSchemas, arguments: ["--agent", CrashTests.agent])
            let agent = try AgentProcess.testAgent(
                role: "worker", instance: "orphan-1", broker: broker, heartbeatInterval: 1,
                arguments: ["--shutdown-deadline", "\(Self.deadline)"])
            try await agent.waitUntilAssigned()
            let watcher = try await TopicWatcher.start([TestTypes.doneTopic, AgentTopics.activity], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            try await publisher.send(
                publisher.root(TestTypes.work, WorkPayload(id: "before", seq: 0, behavior: "ok").json))
            // Its output and activity record acknowledged: nothing it handled is lost at the stop,
            // which would make it exit 1 (see the agents guide).
            let handled = await watcher.waitFor(timeout: .seconds(30)) {
                $0.count(TestTypes.doneTopic) >= 1 && $0.count(AgentTopics.activity) >= 1
            }
            #expect(handled, "\(agent.tail)")
            await watcher.stop()
            await publisher.close()

            broker.process.signal(SIGKILL)
            _ = await broker.process.waitForExit()

            let start = ContinuousClock.now
            let status = await agent.stop()
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(Self.deadline) + Self.stopMargin, "the stop took \(elapsed)\n\(agent.tail)")
            #expect(status == 0, "\(agent.tail)")
        }

        @Test("SIGTERM to an instance whose brokers never answered: it exits 0 within the shutdown deadline and a little more")
        func stopWithoutBroker() async throws {
            // Port 1: nothing listens there, every connection is refused.
            let child = try ChildProcess(
                [
                    "--brokers", "127.0.0.1:1", "--schemas", Paths.fixtureSchemas, "--instance-id", "alone-1",
                    "--shutdown-deadline", "\(Self.deadline)",
                ],
                executable: Paths.product("agentbus-test-agent"), environment: ["AGENTBUS_TEST_ROLE": "worker"],
                capturingStandardError: true)
            let tail = { child.errorLines.suffix(25).joined(separator: "\n") }
            let starting = await child.waitForErrorLines(timeout: .seconds(30)) { $0.contains { $0.contains("agent starting") } }
            #expect(starting, "\(tail())")

            let start = ContinuousClock.now
            child.signal(SIGTERM)
            let status = await child.waitForExit()
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(Self.deadline) + Self.stopMargin, "the stop took \(elapsed)\n\(tail())")
            #expect(status == 0, "\(tail())")
        }
    }
}
