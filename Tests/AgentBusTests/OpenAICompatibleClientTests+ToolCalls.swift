@testable import AgentBus
import Foundation
import Testing

/// Tool calls over real HTTP against the stand-in server (its "tool calls and broken answers"
/// behaviours), and answers that are cut short or have no choices.
extension OpenAICompatibleClientTests {
    static let weather = ChatTool(
        name: "get_weather", description: "The current weather in a city.",
        parameters: #"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"#)

    /// The JSON object a stand-in's echo answer holds in its content.
    func echo(of response: ChatResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.content.utf8)) as? [String: Any])
    }

    @Test("sends tools as OpenAI functions and a named tool choice")
    func toolsSent() async throws {
        let response = try await client().complete(
            ChatRequest(
                messages: [.user("echo-tools")],
                tools: [Self.weather, ChatTool(name: "now", description: "")], toolChoice: .function("get_weather")))
        let echo = try echo(of: response)
        let tools = try #require(echo["tools"] as? [[String: Any]])
        try #require(tools.count == 2)
        #expect(tools[0]["type"] as? String == "function")
        let weather = try #require(tools[0]["function"] as? [String: Any])
        #expect(weather["name"] as? String == "get_weather")
        #expect(weather["description"] as? String == "The current weather in a city.")
        #expect((weather["parameters"] as? [String: Any])?["required"] as? [String] == ["city"])
        let now = try #require(tools[1]["function"] as? [String: Any])
        #expect(now["description"] == nil, "an empty description is not sent")
        #expect((now["parameters"] as? [String: Any])?["type"] as? String == "object")
        let choice = try #require(echo["tool_choice"] as? [String: Any])
        #expect(choice["type"] as? String == "function")
        #expect((choice["function"] as? [String: Any])?["name"] as? String == "get_weather")
    }

    @Test("reads the tool calls of an answer whose content is null")
    func toolCallRead() async throws {
        let response = try await client().complete(ChatRequest(messages: [.user("tools")], tools: [Self.weather]))
        #expect(response.toolCalls == [ChatToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)])
        #expect(response.finishReason == "tool_calls")
        #expect(response.content == "")
        #expect(response.usage == ModelUsage(inputTokens: 50, outputTokens: 12))
    }

    @Test("sends the assistant's tool calls and the tool's result back, and reads the answer")
    func toolResultRoundTrip() async throws {
        let client = try client()
        var messages: [ChatMessage] = [.user("tools")]
        let asked = try await client.complete(ChatRequest(messages: messages, tools: [Self.weather]))
        let call = try #require(asked.toolCalls.first)
        messages.append(asked.message)
        messages.append(.tool(callID: call.id, content: #"{"temperature":18}"#))

        let answer = try await client.complete(ChatRequest(messages: messages, tools: [Self.weather]))
        let echo = try echo(of: answer)
        #expect(echo["result"] as? String == #"{"temperature":18}"#)
        #expect(echo["tool_call_id"] as? String == "call_1")
        let assistant = try #require(echo["assistant"] as? [String: Any])
        #expect(assistant["role"] as? String == "assistant")
        #expect(assistant["content"] is NSNull, "a turn that only calls tools has null content")
        let calls = try #require(assistant["tool_calls"] as? [[String: Any]])
        try #require(calls.count == 1)
        #expect(calls[0]["id"] as? String == "call_1")
        #expect(calls[0]["type"] as? String == "function")
        let function = try #require(calls[0]["function"] as? [String: Any])
        #expect(function["name"] as? String == "get_weather")
        #expect(function["arguments"] as? String == #"{"city":"Paris"}"#)
        #expect(answer.toolCalls.isEmpty)
        #expect(answer.finishReason == "stop")
    }

    @Test("an answer cut short is a transport failure; one without choices is an invalid response; both retry")
    func brokenAnswers() async throws {
        let client = try client()
        let cut = try #require(await failure(client, "cut"))
        #expect(cut.kind == .transport)
        #expect(cut.isRetryable)

        let noChoices = try #require(await failure(client, "nochoices"))
        #expect(noChoices.kind == .invalidResponse)
        #expect(noChoices.message == "the answer has no choices")
        #expect(noChoices.status == 200)

        let emptyChoices = try #require(await failure(client, "emptychoices"))
        #expect(emptyChoices.kind == .invalidResponse)
        #expect(emptyChoices.message == "the answer has no choices")
    }
}
