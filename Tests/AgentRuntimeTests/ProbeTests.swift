import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// An agent started with `--http-port`: its probes, its metrics as Prometheus reads them, and
    /// its readiness following the brokers down and up.
    @Suite("HTTP probes and metrics")
    struct ProbeTests {
        static let topics = "test.work:2,test.done:2"

        @Test("/healthz, /readyz through a broker outage, /metrics parsed by prometheus_client, agentbus health")
        func probesAndMetrics() async throws {
            let broker = try await DevBrokerProcess.start(
                topics: Self.topics, schemas: Paths.fixtureSchemas, arguments: ["--agent", CrashTests.agent])
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let agent = try AgentProcess.testAgent(role: "worker", instance: "probed-1", broker: broker, arguments: ["--http-port", "0"])

            #expect(await agent.waitFor("http endpoint listening on", timeout: .seconds(30)), "\(agent.tail)")
            let port = try #require(ProbeScraper.port(in: agent.log), "no port in the log\n\(agent.tail)")

            let health = try await ProbeScraper.get("/healthz", port: port)
            #expect(health.status == 200 && health.body == "ok\n", "\(health)")
            #expect(try await ProbeScraper.get("/nowhere", port: port).status == 404)
            #expect(try await ProbeScraper.get("/healthz", port: port, method: "POST").status == 405)

            try await agent.waitUntilAssigned()
            let ready = try await ProbeScraper.waitFor("/readyz", port: port, status: 200, timeout: .seconds(20))
            #expect(ready.status == 200, "\(ready.body)\n\(agent.tail)")
            #expect(ready.body.contains("6 partitions assigned"), "\(ready.body)")  // test.work/0-1, retry tier 0-3

            // agentbus health, as a HEALTHCHECK runs it.
            let healthCommand = try ChildProcess(["health", "--port", "\(port)"], capturingStandardError: true)
            #expect(await healthCommand.waitForExit() == 0)
            #expect(healthCommand.lines == ["ok"])
            let readyCommand = try ChildProcess(["health", "--ready"], environment: ["AGENTBUS_HTTP_PORT": "\(port)"])
            #expect(await readyCommand.waitForExit() == 0)
            #expect(readyCommand.lines.first?.hasPrefix("ready: ") == true, "\(readyCommand.lines)")

            // Handled events counted exactly, in a body Prometheus' own parser reads.
            let handled = "agentbus_events_handled_total{agent=\"test-worker\"}"
            let before = try await ProbeScraper.parse(ProbeScraper.get("/metrics", port: port).body).samples[handled] ?? -1
            #expect(before == 0)
            for seq in 0..<3 {
                try await publisher.send(publisher.root(TestTypes.work, WorkPayload(id: "probe-\(seq)", seq: seq, behavior: "ok").json))
            }
            let deadline = ContinuousClock.now + .seconds(30)
            var metrics = try await ProbeScraper.get("/metrics", port: port)
            var parsed = try await ProbeScraper.parse(metrics.body)
            while (parsed.samples[handled] ?? 0) < before + 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                metrics = try await ProbeScraper.get("/metrics", port: port)
                parsed = try await ProbeScraper.parse(metrics.body)
            }
            #expect(parsed.samples[handled] == before + 3, "\(metrics.body)")
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let expectedFamilies: [String: String] = [
                "agentbus_events_handled": "counter", "agentbus_handler_failures": "counter",
                "agentbus_events_retried": "counter", "agentbus_events_dead_lettered": "counter",
                "agentbus_handler_duration_seconds": "histogram", "agentbus_consumer_lag": "gauge",
                "agentbus_handlings_in_flight": "gauge", "agentbus_handlers_abandoned": "gauge",
            ]
            for (family, type) in expectedFamilies {
                #expect(parsed.families[family] == type, "\(family) is \(parsed.families[family] ?? "missing")")
            }
            #expect(parsed.samples["agentbus_consumer_lag{agent=\"test-worker\",partition=\"0\",topic=\"test.work\"}"] == 0)
            #expect(parsed.samples["agentbus_handler_duration_seconds_count{agent=\"test-worker\"}"] == 3)
            #expect(parsed.samples["agentbus_events_dead_lettered_total{agent=\"test-worker\",failure_class=\"permanent\"}"] == 0)

            // The cluster goes away: not ready (the instance cannot work), still alive.
            try await broker.takeBrokersDown()
            let down = try await ProbeScraper.waitFor("/readyz", port: port, status: 503, timeout: .seconds(20))
            #expect(down.status == 503, "\(down.body)\n\(agent.tail)")
            // Said by the broker round trip within a second or two, long before the group's
            // session times out and takes the assignment away (which would say so too, later).
            #expect(down.body.hasPrefix("not ready: no broker reachable: "), "\(down.body)")
            #expect(try await ProbeScraper.get("/healthz", port: port).status == 200)

            // And back: ready again.
            try await broker.bringBrokersUp()
            let back = try await ProbeScraper.waitFor("/readyz", port: port, status: 200, timeout: .seconds(45))
            #expect(back.status == 200, "\(back.body)\n\(agent.tail)")

            await publisher.close()
            await stopAll([agent], broker)
        }
    }
}
