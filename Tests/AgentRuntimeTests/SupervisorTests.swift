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
        @Test("a SIGKILLed instance is reported dead; a workflow that stops before its terminal type is stalled, redriven once, then escalated")
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
                    "--stall-after", "2", "--terminal-type", TestTypes.done, "--topic-refresh", "1", "--policy", "redrive",
                    "--http-port", "0",
                ],
                executable: Paths.product("supervisor"), capturingStandardError: true)
            try await worker.waitUntilAssigned()
            try await sink.waitUntilAssigned()
            #expect(await supervisor.waitForErrorLines { $0.contains { $0.contains("supervisor started") } })
            // Its probes, as Kubernetes and the image's HEALTHCHECK ask them: ready once it has
            // read what was there at its start.
            let port = try #require(ProbeScraper.port(in: supervisor.errorLines), "\(supervisor.errorLines)")
            #expect(try await ProbeScraper.get("/healthz", port: port).status == 200)
            let ready = try await ProbeScraper.waitFor("/readyz", port: port, status: 200, timeout: .seconds(20))
            #expect(ready.status == 200 && ready.body.hasPrefix("ready: "), "\(ready.body)")

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
            // Redriven once (the worker handles its Work again), then, stalled again, escalated.
            let reported = await watcher.waitFor(timeout: .seconds(30)) { contents in
                contents.alerts.count { $0.kind == .workflowStalled } >= 2
            }
            #expect(reported, "not two workflow-stalled alerts\n\(supervisor.errorLines.suffix(20).joined(separator: "\n"))")

            let stalledAlerts = watcher[SupervisorAlert.topic].compactMap { record in
                record.envelope.flatMap { envelope in
                    (try? SupervisorAlert(jsonPayload: envelope.data)).map { (envelope, $0) }
                }
            }.filter { $0.1.kind == .workflowStalled }
            #expect(stalledAlerts.count == 2, "the finished workflow is not stalled; the cut one twice")
            try #require(stalledAlerts.count == 2)
            let (firstEnvelope, first) = stalledAlerts[0]
            #expect(first.subject.correlationId == stalled.correlationID)
            #expect(first.subject.agent == "test-worker")
            #expect(first.observed.lastEventId == stalled.id && first.observed.lastEventType == TestTypes.work)
            #expect(first.severity == .warning)
            // A child of the workflow's last event, so replay shows it in that workflow.
            #expect(firstEnvelope.correlationID == stalled.correlationID && firstEnvelope.causationID == stalled.id)
            #expect(firstEnvelope.source == "/agents/supervisor")
            let redriven = try #require(first.redrivenEventId)
            #expect(watcher.contents.activity.contains {
                $0.eventId == redriven && $0.correlationId == stalled.correlationID && $0.agent == "test-worker"
            }, "the worker handled the redriven event in the same workflow")
            let (secondEnvelope, second) = stalledAlerts[1]
            #expect(second.severity == .critical && second.redrivenEventId == nil, "redriven once, then escalated")
            #expect(secondEnvelope.causationID == redriven)

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
