import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// The `supervisor` executable against real agent processes: it sees an instance die and a
    /// workflow stop short of its end, and says so on agentbus.alerts.
    @Suite("Supervisor")
    struct SupervisorTests {
        @Test("a SIGKILLed instance is reported dead, and a workflow that stops before its terminal type stalled")
        func deadInstanceAndStalledWorkflow() async throws {
            let broker = try await DevBrokerProcess.start(
                topics: "\(SupervisorAlert.topic):1", schemas: Paths.fixtureSchemas,
                arguments: ["--agent", "test-worker", "--agent", "test-sink", "--retry-delays", "none"])
            // Heartbeats every second: the sink is dead after 3 s of silence.
            let worker = try AgentProcess.testAgent(role: "worker", instance: "worker-1", broker: broker, heartbeatInterval: 1)
            let sink = try AgentProcess.testAgent(role: "sink", instance: "sink-1", broker: broker, heartbeatInterval: 1)
            let supervisor = try ChildProcess(
                [
                    "--bootstrap-file", broker.bootstrapFile, "--instance-id", "supervisor-1", "--interval", "0.5",
                    "--stall-after", "2", "--terminal-type", TestTypes.done, "--topic-refresh", "1",
                ],
                executable: Paths.product("supervisor"), capturingStandardError: true)
            try await worker.waitUntilAssigned()
            try await sink.waitUntilAssigned()
            #expect(await supervisor.waitForErrorLines { $0.contains { $0.contains("supervisor started") } })

            let watcher = try await TopicWatcher.start([SupervisorAlert.topic, AgentTopics.activity], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)

            // A workflow that reaches its terminal type: the sink handles its Done.
            let finished = publisher.root(TestTypes.work, WorkPayload(id: "w-1", seq: 1, behavior: "ok").json)
            try await publisher.send(finished)
            #expect(await watcher.waitFor { contents in
                contents.activity.contains { $0.correlationId == finished.correlationID && $0.type == TestTypes.done }
            })

            // The sink dies without a word.
            await sink.kill()
            let dead = await watcher.waitFor(timeout: .seconds(20)) { contents in
                contents.alerts.contains { $0.kind == .instanceDead && $0.subject.instance == "sink-1" }
            }
            #expect(dead, "no instance-dead alert for sink-1\n\(supervisor.errorLines.suffix(20).joined(separator: "\n"))")

            // A workflow whose Done nobody handles any more: its last activity is the worker's.
            let stalled = publisher.root(TestTypes.work, WorkPayload(id: "w-2", seq: 2, behavior: "ok").json)
            try await publisher.send(stalled)
            let reported = await watcher.waitFor(timeout: .seconds(20)) { contents in
                contents.alerts.contains { $0.kind == .workflowStalled }
            }
            #expect(reported, "no workflow-stalled alert\n\(supervisor.errorLines.suffix(20).joined(separator: "\n"))")

            let records = watcher[SupervisorAlert.topic]
            let stalledAlerts = records.compactMap { record in
                record.envelope.flatMap { envelope in
                    (try? SupervisorAlert(jsonPayload: envelope.data)).map { (envelope, $0) }
                }
            }.filter { $0.1.kind == .workflowStalled }
            #expect(stalledAlerts.count == 1, "the finished workflow is not stalled, the stalled one said once")
            let (envelope, alert) = try #require(stalledAlerts.first)
            #expect(alert.subject.correlationId == stalled.correlationID)
            #expect(alert.subject.agent == "test-worker")
            #expect(alert.observed.lastEventId == stalled.id && alert.observed.lastEventType == TestTypes.work)
            // A child of the workflow's last event, so replay shows it in that workflow.
            #expect(envelope.correlationID == stalled.correlationID && envelope.causationID == stalled.id)
            #expect(envelope.source == "/agents/supervisor")
            let deadAlerts = watcher.contents.alerts.filter { $0.kind == .instanceDead }
            #expect(deadAlerts.map(\.subject.instance) == ["sink-1"], "one alert, for the killed instance only")
            #expect(deadAlerts.first?.severity == .critical)

            // A clean stop: exit 0 and a last heartbeat that says so, as any agent's.
            supervisor.signal(SIGTERM)
            #expect(await supervisor.waitForExit() == 0)
            let heartbeats = try await snapshot([AgentTopics.heartbeats], broker)[AgentTopics.heartbeats]
                .compactMap { $0.decode(Heartbeat.self) }.filter { $0.agent == "supervisor" }
            #expect(heartbeats.first?.status == .starting && heartbeats.last?.status == .stopped, "\(heartbeats.map(\.status))")
            await watcher.stop()
            await publisher.close()
            await stopAll([worker], broker)
        }
    }
}

extension TopicWatcher.Contents {
    /// The alerts read from agentbus.alerts, decoded.
    var alerts: [SupervisorAlert] {
        self[SupervisorAlert.topic].compactMap { record in
            record.envelope.flatMap { try? SupervisorAlert(jsonPayload: $0.data) }
        }
    }
}
