import AgentBus
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// End to end with the real local model (`agentbus model-server`: SmolLM2-135M on llama.cpp,
    /// offline): a model-backed handling completes, its tokens are the server's own count, its
    /// cost comes from the price table, and an instance SIGKILLed after the model answered is
    /// replaced by one that publishes that answer without asking the model again. The calls are
    /// counted at the server, from its Prometheus `/metrics` (tokens served).
    @Suite("Local model: end to end", .timeLimit(.minutes(2)))
    struct LocalModelProcessTests {
        typealias Journal = EffectJournalProcessTests

        /// The server's token counters.
        struct ServedTokens: Equatable {
            var prompt: Int
            var predicted: Int
        }

        static func servedTokens(_ baseURL: String) async throws -> ServedTokens {
            let url = try #require(URL(string: baseURL.replacingOccurrences(of: "/v1", with: "/metrics")))
            let (data, _) = try await URLSession.shared.data(from: url)
            var counters: [String: Int] = [:]
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let value = Double(parts[1]) { counters[String(parts[0])] = Int(value) }
            }
            return ServedTokens(
                prompt: (counters["llamacpp:prompt_tokens_total"] ?? 0) + (counters["llamacpp:prompt_tokens_cached_total"] ?? 0),
                predicted: counters["llamacpp:tokens_predicted_total"] ?? 0)
        }

        @Test("a model-backed handling completes with the server's token count and its cost; after a SIGKILL the model is not asked again")
        func localModel() async throws {
            let server = try ChildProcess(["model-server", "--exit-with-stdin"], holdingStandardInput: true)
            defer { server.closeStandardInput() }
            let baseURL = try #require(
                await server.firstLine(timeout: .seconds(60)),
                "agentbus model-server printed no base URL: is the local model installed? (scripts/setup.sh creates .venv-model)")
            let prices = FileManager.default.temporaryDirectory.appendingPathComponent("prices-\(UUID()).json")
            try Data(#"{"smollm2-135m": {"input": 100, "output": 200}}"#.utf8).write(to: prices)
            defer { try? FileManager.default.removeItem(at: prices) }

            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: ["--agent", Journal.agent, "--retry-delays", "none"])
            let watcher = try await TopicWatcher.start(
                [TestTypes.doneTopic, AgentTopics.activity, Journal.journalTopic], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            func agent(_ instance: String, holdMs: Int) throws -> AgentProcess {
                var environment = ["AGENTBUS_TEST_MODEL_URL": baseURL]
                if holdMs > 0 { environment["AGENTBUS_TEST_HOLD_MS"] = String(holdMs) }
                return try AgentProcess.testAgent(
                    role: "effects", instance: instance, broker: broker, environment: environment,
                    arguments: ["--model-prices", prices.path])
            }

            let before = try await Self.servedTokens(baseURL)
            let killed = try agent("local-killed", holdMs: 60_000)
            try await killed.waitUntilAssigned()
            let work = publisher.root(TestTypes.work, WorkPayload(id: "local", seq: 0, behavior: "ok").json)
            try await publisher.send(work)
            try #require(await killed.waitFor("model answered"), "\(killed.tail)")
            let answered = try #require(killed.log.first { $0.contains("model answered") })
            let served = try await Self.servedTokens(baseURL)
            await killed.kill()

            let restarted = try agent("local-restarted", holdMs: 0)
            let handled = await watcher.waitFor { contents in
                !Journal.outputs(of: work, in: contents).isEmpty && !Journal.activity(of: work, .ok, in: contents).isEmpty
            }
            let after = try await Self.servedTokens(baseURL)
            let contents = watcher.contents
            await watcher.stop()
            await publisher.close()
            await stopAll([restarted], broker)
            #expect(handled, "\(restarted.tail)")

            // One call: nothing was generated after the killed instance's.
            #expect(served.predicted > before.predicted, "the server generated the killed instance's answer")
            #expect(after == served, "the server generated nothing more after the SIGKILL: \(served) → \(after)")
            let outputs = Journal.outputs(of: work, in: contents)
            #expect(outputs.count == 1)
            let done = try #require(outputs.first.flatMap { try? JSONDecoder().decode(DonePayload.self, from: Data($0.data)) })
            #expect(answered.contains("answer=\(done.answer ?? "-")"), "the killed instance's answer, word for word")
            // The tokens recorded are the server's own count of that one call, and priced.
            let activity = try #require(Journal.activity(of: work, .ok, in: contents).first)
            let call = try #require(activity.modelCalls.first)
            #expect(activity.modelCalls.count == 1 && call.replayed)
            #expect(call.requestModel == "smollm2-135m")
            #expect(call.inputTokens == served.prompt - before.prompt)
            #expect(call.outputTokens == served.predicted - before.predicted)
            let cost = (Double(call.inputTokens) * 100 + Double(call.outputTokens) * 200) / 1_000_000
            #expect(abs(call.cost - cost) < 1e-12)
            #expect(abs(outputs[0].cost - cost) < 1e-12, "the output carries the workflow's cost")
        }
    }
}
