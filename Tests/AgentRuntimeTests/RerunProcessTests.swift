import AgentBus
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// `agentbus replay rerun` against the test agent's executable: a workflow recorded by the
    /// agent with a real model call (the stand-in server), rerun with the server gone, from the
    /// cluster and from a saved log.
    @Suite("Replay rerun of an agent's executable", .timeLimit(.minutes(2)))
    struct RerunProcessTests {
        @Test("unchanged: exit 0; a changed output: `~ changed` with the field, exit 1; no model server needed")
        func rerunTestAgent() async throws {
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: ["--agent", "test-effects", "--retry-delays", "none"])
            let model = try ModelStubServer()
            let environment = ["AGENTBUS_TEST_ROLE": "effects", "AGENTBUS_TEST_MODEL_URL": model.baseURL]
            let agent = try AgentProcess.testAgent(
                role: "effects", instance: "effects-1", broker: broker, environment: environment)
            try await agent.waitUntilAssigned()
            let watcher = try await TopicWatcher.start([TestTypes.doneTopic, AgentTopics.activity], broker: broker)

            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let work = publisher.root(TestTypes.work, WorkPayload(id: "rerun", seq: 0, behavior: "ok").json)
            try await publisher.send(work)
            await publisher.close()
            #expect(await watcher.waitFor { contents in
                contents.activity.contains { $0.eventId == work.id } && contents.count(TestTypes.doneTopic) >= 1
            }, "\(agent.tail)")
            await watcher.stop()
            let done = try #require(watcher[TestTypes.doneTopic].first?.envelope)
            let recorded = try #require(try? JSONValue(parsing: done.data))
            // The score came from the `lookup` effect, the token count from the model.
            #expect(recorded["id"]?.stringValue?.hasSuffix("/46") == true, "\(recorded.jsonText)")
            #expect(await agent.stop() == 0, "\(agent.tail)")
            model.stop()

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-rerun-\(UUID().uuidString).jsonl").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            let save = try await agentbus(["replay", work.correlationID, "--save", file], broker)
            #expect(save.status == 0, "\(save.errors)")
            /// The agent's own options come after `--`.
            func rerun(_ source: [String]) -> [String] {
                ["replay", "rerun", work.correlationID, "--agent", "test-effects",
                 "--handler-binary", Paths.product("agentbus-test-agent")] + source + ["--", "--schemas", Paths.fixtureSchemas]
            }

            // From the cluster, the same handler: unchanged, although the model server is gone.
            let same = try await run(rerun(["--bootstrap-file", broker.bootstrapFile]), environment: environment)
            #expect(same.status == 0, "\(same.output)\n\(same.errors)")
            #expect(same.output == [
                "rerun of test-effects on workflow \(work.correlationID): 1 event",
                "\(TestTypes.work) \(work.id)",
                "  = \(TestTypes.done) \(done.id)",
                "outputs: 1 unchanged, 0 changed, 0 added, 0 removed; 0 errors",
            ], "\(same.errors)")
            await broker.stop()

            // From the saved log, no cluster at all, a handler that now adds 1 to `seq`.
            let changed = try await run(
                rerun(["--from-file", file, "--brokers", "127.0.0.1:1"]),
                environment: environment.merging(["AGENTBUS_TEST_SEQ_OFFSET": "1"]) { $1 })
            #expect(changed.status == 1, "\(changed.output)\n\(changed.errors)")
            #expect(changed.output == [
                "rerun of test-effects on workflow \(work.correlationID): 1 event",
                "\(TestTypes.work) \(work.id)",
                "  ~ \(TestTypes.done) \(done.id)",
                "      ~ seq: 0 → 1",
                "outputs: 0 unchanged, 1 changed, 0 added, 0 removed; 0 errors",
            ], "\(changed.errors)")

            // An agent that is not the recorded one: nothing to rerun, an error (2), one line.
            let other = try await run(
                ["replay", "rerun", work.correlationID, "--agent", "test-worker", "--from-file", file,
                 "--handler-binary", Paths.product("agentbus-test-agent")], environment: [:])
            #expect(other.status == 2)
            #expect(other.errors == [
                "agentbus replay rerun: test-worker handled no event of workflow \(work.correlationID) successfully, so there is nothing to rerun (agents that did: test-effects)"
            ])
        }

        func run(_ arguments: [String], environment: [String: String]) async throws -> CLIResult {
            let process = try ChildProcess(arguments, environment: environment, capturingStandardError: true)
            let status = await process.waitForExit()
            return CLIResult(status: status, output: process.lines, errors: process.errorLines)
        }
    }
}
