@testable import AgentBus
import Foundation
import Testing

/// Chat types as the runtime journals them (Codable), and tools and tool choices as the
/// OpenAI-compatible client writes them, without a server.
@Suite("Chat types: journaling and the tool wire format")
struct ChatToolCodingTests {
    static let call = ChatToolCall(id: "call_7", name: "get_weather", arguments: #"{"city":"Paris"}"#)

    /// `value` encoded as a JSON object, with `key` removed: what a journal written before the key
    /// existed holds.
    func jsonObject(_ value: some Encodable, without key: String) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any])
        #expect(object.removeValue(forKey: key) != nil)
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test("a response with tool calls round-trips through JSON")
    func responseRoundTrip() throws {
        let response = ChatResponse(
            content: "", finishReason: "tool_calls", model: "smollm2-135m",
            usage: ModelUsage(inputTokens: 50, outputTokens: 12), latency: .milliseconds(420), toolCalls: [Self.call])
        let decoded = try JSONDecoder().decode(ChatResponse.self, from: JSONEncoder().encode(response))
        #expect(decoded == response)
        #expect(decoded.toolCalls == [Self.call])
    }

    @Test("a response or message journaled before tool calls existed still reads, with none")
    func journaledBeforeToolCalls() throws {
        let response = ChatResponse(
            content: "Hello.", finishReason: "stop", model: "m", usage: ModelUsage(inputTokens: 1, outputTokens: 2),
            latency: .seconds(1))
        let oldResponse = try jsonObject(response, without: "toolCalls")
        #expect(try JSONDecoder().decode(ChatResponse.self, from: oldResponse) == response)

        let oldMessage = Data(#"{"role":"user","content":"Hi."}"#.utf8)
        #expect(try JSONDecoder().decode(ChatMessage.self, from: oldMessage) == .user("Hi."))
    }

    @Test("tool-call and tool-result messages round-trip through JSON")
    func messagesRoundTrip() throws {
        let messages: [ChatMessage] = [
            .user("Weather in Paris?"), .assistant(toolCalls: [Self.call]), .tool(callID: "call_7", content: "18 °C"),
            .assistant("18 °C in Paris."),
        ]
        #expect(try JSONDecoder().decode([ChatMessage].self, from: JSONEncoder().encode(messages)) == messages)
    }

    /// The request body the client sends, as a JSON object.
    func body(_ request: ChatRequest) throws -> [String: Any] {
        let data = try OpenAICompatibleClient.body(of: request, defaultModel: "m")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("tool choices: auto is the provider's default and not sent; none and required are; nothing without tools")
    func toolChoices() throws {
        let tool = ChatTool(name: "now", description: "The time.")
        #expect(try body(ChatRequest(messages: [.user("x")], tools: [tool]))["tool_choice"] == nil)
        #expect(try body(ChatRequest(messages: [.user("x")], tools: [tool], toolChoice: .none))["tool_choice"] as? String == "none")
        #expect(
            try body(ChatRequest(messages: [.user("x")], tools: [tool], toolChoice: .required))["tool_choice"] as? String
                == "required")
        let toolless = try body(ChatRequest(messages: [.user("x")], toolChoice: .required))
        #expect(toolless["tools"] == nil)
        #expect(toolless["tool_choice"] == nil)
    }

    @Test("a tool whose parameters are not a JSON object is a bad request, caught before sending")
    func badParameters() {
        for parameters in ["{not json", "[1,2]"] {
            let request = ChatRequest(messages: [.user("x")], tools: [ChatTool(name: "f", description: "", parameters: parameters)])
            let error = #expect(throws: ModelError.self) { try OpenAICompatibleClient.body(of: request, defaultModel: "m") }
            #expect(error?.kind == .badRequest)
            #expect(error?.message == "the parameters of tool `f` are not a JSON object")
        }
    }
}
