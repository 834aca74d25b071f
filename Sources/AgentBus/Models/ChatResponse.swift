/// A model's answer, with what it cost in tokens and time.
public struct ChatResponse: Sendable, Hashable, Codable {
    /// The answer's text (JSON text when a response schema was asked for); often empty when the
    /// model calls tools.
    public var content: String
    /// The tools the model asks to call (``finishReason`` `tool_calls`); empty when it answered.
    public var toolCalls: [ChatToolCall]
    /// Why the model stopped: `stop`, `length` (ran out of tokens), `tool_calls`, ...
    public var finishReason: String?
    /// The model that answered, as the provider names it.
    public var model: String
    public var usage: ModelUsage
    /// From sending the request to reading the whole answer.
    public var latency: Duration

    public init(
        content: String, finishReason: String?, model: String, usage: ModelUsage, latency: Duration,
        toolCalls: [ChatToolCall] = []
    ) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.model = model
        self.usage = usage
        self.latency = latency
    }

    /// The answer as the assistant's turn of the conversation, to append to the messages of the
    /// next request (the one that carries the tool results).
    public var message: ChatMessage {
        ChatMessage(role: .assistant, content: content, toolCalls: toolCalls)
    }

    private enum CodingKeys: String, CodingKey {
        case content, toolCalls, finishReason, model, usage, latency
    }

    /// Reads answers journaled before tool calls existed too: no `toolCalls` is none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        content = try container.decode(String.self, forKey: .content)
        toolCalls = try container.decodeIfPresent([ChatToolCall].self, forKey: .toolCalls) ?? []
        finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        model = try container.decode(String.self, forKey: .model)
        usage = try container.decode(ModelUsage.self, forKey: .usage)
        latency = try container.decode(Duration.self, forKey: .latency)
    }
}
