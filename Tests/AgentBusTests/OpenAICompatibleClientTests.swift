@testable import AgentBus
import Foundation
import TestSupport
import Testing

/// The OpenAI-compatible client over real HTTP on loopback, against a stand-in server the test
/// starts (Tests/Fixtures/model-stub-server.py): what it sends, what it reads back, and how each
/// failure is classed for the retry policy.
@Suite("OpenAI-compatible model client", .serialized, .timeLimit(.minutes(1)))
struct OpenAICompatibleClientTests {
    /// The stand-in server, started once for the suite's tests.
    static let server = try? ModelStubServer()

    func client(key: String? = "sk-test-secret", timeout: Duration = .seconds(10)) throws -> OpenAICompatibleClient {
        let server = try #require(Self.server, "the stand-in server did not start")
        return OpenAICompatibleClient(
            configuration: .init(
                baseURL: server.apiURL, model: "smollm2-135m",
                apiKey: key.map(ModelAPIKey.init), timeout: timeout))
    }

    func failure(_ client: OpenAICompatibleClient, _ text: String) async -> ModelError? {
        do {
            _ = try await client.complete(ChatRequest(messages: [.user(text)]))
            return nil
        } catch {
            return error
        }
    }

    @Test("sends model, messages, temperature, max tokens, the key and a JSON schema; reads the answer and its tokens")
    func roundTrip() async throws {
        let schema = #"{"type":"object","properties":{"summary":{"type":"string"}},"required":["summary"]}"#
        let response = try await client().complete(
            ChatRequest(
                messages: [.system("Be brief."), .user("Summarize the application.")], temperature: 0, maxTokens: 64,
                responseSchema: schema))
        let echo = try #require(try JSONSerialization.jsonObject(with: Data(response.content.utf8)) as? [String: Any])
        #expect(echo["model"] as? String == "smollm2-135m")
        #expect(echo["authorization"] as? String == "Bearer sk-test-secret")
        #expect(echo["temperature"] as? Double == 0)
        #expect(echo["max_tokens"] as? Int == 64)
        #expect(echo["messages"] as? Int == 2)
        let format = try #require(echo["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        #expect(((format["json_schema"] as? [String: Any])?["schema"] as? [String: Any])?["required"] as? [String] == ["summary"])
        #expect(response.usage == ModelUsage(inputTokens: 27, outputTokens: 46))
        #expect(response.finishReason == "stop")
        #expect(response.model == "smollm2-135m")
        #expect(response.latency > .zero)
    }

    @Test("failures are typed and classed: rate limits, overload, timeouts and garbage retry; bad requests and keys do not")
    func failures() async throws {
        let client = try client()
        let limited = try #require(await failure(client, "rate-limit"))
        #expect(limited.kind == .rateLimited)
        #expect(limited.retryAfter == .seconds(2))
        #expect(limited.isRetryable)
        #expect(limited.message == "Rate limit reached for requests")

        let auth = try #require(await failure(client, "auth"))
        #expect(auth.kind == .authentication)
        #expect(!auth.isRetryable)
        #expect(!auth.description.contains("sk-test-secret"), "the key never shows in an error")

        let bad = try #require(await failure(client, "bad"))
        #expect(bad.kind == .badRequest)
        #expect(bad.description == "model call failed (bad-request, HTTP 400): The model `nope` does not exist")

        #expect(await failure(client, "overloaded")?.kind == .overloaded)
        #expect(await failure(client, "garbage")?.kind == .invalidResponse)
        // The timeout is the client's own, not rounded to whole seconds by the HTTP stack.
        let clock = ContinuousClock()
        let timedOut = clock.now
        #expect(await failure(try self.client(timeout: .milliseconds(1_500)), "slow")?.kind == .timeout)
        let waited = clock.now - timedOut
        #expect(waited >= .milliseconds(1_400) && waited < .milliseconds(2_800), "waited \(waited)")

        let unreachable = OpenAICompatibleClient(
            configuration: .init(baseURL: URL(string: "http://127.0.0.1:1/v1")!, model: "m", timeout: .seconds(5)))
        #expect(await failure(unreachable, "hello")?.kind == .transport)
    }

    @Test("the runtime dead-letters what no retry fixes and retries the rest")
    func failureClasses() {
        #expect(HandlerFailure(ModelError(.badRequest, "no such model")).failureClass == .permanent)
        #expect(HandlerFailure(ModelError(.authentication, "wrong key")).failureClass == .permanent)
        #expect(HandlerFailure(ModelError(.rateLimited, "slow down", retryAfter: .seconds(1))).failureClass == .transient)
        #expect(HandlerFailure(ModelError(.overloaded, "busy")).failureClass == .transient)
    }

    @Test("the key prints as <redacted>")
    func keyRedacted() {
        let key = ModelAPIKey("sk-live-123")
        #expect("\(key)" == "<redacted>")
        #expect(String(reflecting: key) == "<redacted>")
    }
}
