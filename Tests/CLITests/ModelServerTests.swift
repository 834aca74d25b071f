import AgentBus
import Foundation
import TestSupport
import Testing

/// `agentbus model-server` as users run it: a real process serving the local model (the venv
/// scripts/setup.sh creates, found beside this build's repository), asked through
/// `OpenAICompatibleClient` over HTTP. Each server is started with --exit-with-stdin on a pipe only
/// the test holds, so it ends with the test process whatever happens to it.
@Suite("model-server", .serialized, .timeLimit(.minutes(1)))
struct ModelServerTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Starts `agentbus model-server` and reads the base URL it prints first.
    func startServer() async throws -> (process: ChildProcess, client: OpenAICompatibleClient) {
        let process = try ChildProcess(["model-server", "--exit-with-stdin"], holdingStandardInput: true)
        let line = try #require(
            await process.firstLine(timeout: .seconds(45)),
            "agentbus model-server printed no base URL: is the local model installed? (scripts/setup.sh creates .venv-model)")
        #expect(line.hasPrefix("http://127.0.0.1:") && line.hasSuffix("/v1"), "\(line)")
        let baseURL = try #require(URL(string: line))
        // No key: the local server takes none, and the client sends no Authorization header.
        let client = OpenAICompatibleClient(configuration: .init(baseURL: baseURL, model: "smollm2-135m", timeout: .seconds(45)))
        return (process, client)
    }

    /// Whether a call reaches no server at all (after it stopped).
    func unreachable(_ client: OpenAICompatibleClient) async -> Bool {
        do {
            _ = try await client.complete(ChatRequest(messages: [.user("Hello?")], maxTokens: 1))
            return false
        } catch {
            return error.kind == .transport
        }
    }

    @Test("answers at temperature 0 the same twice, counts tokens, follows a JSON schema, and stops on SIGTERM")
    func servesTheLocalModel() async throws {
        let (server, client) = try await startServer()

        let question = ChatRequest(
            messages: [.system("You are a loan officer. Answer in one short sentence."), .user("Is a debt-to-income ratio of 45% high?")],
            temperature: 0, maxTokens: 40)
        let first = try await client.complete(question)
        let second = try await client.complete(question)
        #expect(!first.content.isEmpty)
        #expect(second.content == first.content, "temperature 0 is repeatable")
        #expect(first.usage.inputTokens > 0 && first.usage.outputTokens > 0, "\(first.usage)")
        #expect(first.model == "smollm2-135m")

        // Structured output: llama.cpp compiles the schema into a grammar, so even a 135M model
        // answers with JSON of this shape (the short reason keeps the answer, and the test, short).
        let schema = #"""
            {"type": "object", "additionalProperties": false, "required": ["decision", "reason"],
             "properties": {"decision": {"enum": ["approve", "refer", "decline"]}, "reason": {"type": "string", "maxLength": 40}}}
            """#
        let structured = try await client.complete(
            ChatRequest(
                messages: [
                    .system("You review loan applications. Answer with a decision and a short reason."),
                    .user("Income 4,000 a month, debts 1,800 a month; asks for 25,000 over 5 years."),
                ],
                temperature: 0, maxTokens: 80, responseSchema: schema))
        #expect(structured.finishReason == "stop", "\(structured.content)")
        let answer = try #require(
            try? JSONSerialization.jsonObject(with: Data(structured.content.utf8)) as? [String: Any], "not JSON: \(structured.content)")
        #expect(Set(answer.keys) == ["decision", "reason"], "\(structured.content)")
        #expect(["approve", "refer", "decline"].contains(answer["decision"] as? String), "\(structured.content)")
        #expect((answer["reason"] as? String).map { $0.count <= 40 } == true, "\(structured.content)")

        server.signal(SIGTERM)
        #expect(await server.waitForExit() == 0)
        #expect(await unreachable(client), "the server stopped with the command")
    }

    @Test("with --exit-with-stdin, stops when its standard input closes")
    func stopsWhenItsInputCloses() async throws {
        let (server, client) = try await startServer()
        server.closeStandardInput()
        #expect(await server.waitForExit() == 0)
        #expect(await unreachable(client), "the server stopped with the command")
    }

    @Test("without the model's venv: one line saying how to install it, exit 1")
    func missingVenv() async throws {
        let finished = try await CLIRun.agentbus(["model-server", "--venv", "/nonexistent"])
        #expect(finished.status == 1)
        #expect(finished.output.isEmpty)
        #expect(
            finished.errors
                == ["agentbus model-server: no local model installed in /nonexistent: run scripts/setup.sh (creates .venv-model)"])
    }

    @Test("the script built into agentbus is scripts/model-server.py")
    func builtInScriptIsTheRepositorys() throws {
        let script = try String(contentsOf: Self.repository.appendingPathComponent("scripts/model-server.py"), encoding: .utf8)
        let swift = try String(
            contentsOf: Self.repository.appendingPathComponent("Sources/agentbus/ModelServerScript.swift"), encoding: .utf8)
        let start = try #require(swift.range(of: "static let source = #\"\"\"\n"))
        let end = try #require(swift.range(of: "\n\"\"\"#", range: start.upperBound..<swift.endIndex))
        let same = swift[start.upperBound..<end.lowerBound] + "\n" == script   // (not shown whole when they differ)
        #expect(same, "Sources/agentbus/ModelServerScript.swift does not hold scripts/model-server.py as it is: paste it in again")
    }
}
