/// One message of a chat with a model: an instruction, a user's turn, the model's answer (text, or
/// the tools it asked to call), or what a tool returned.
public struct ChatMessage: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        case system, user, assistant, tool
    }

    public var role: Role
    /// The text; empty for an assistant turn that only calls tools.
    public var content: String
    /// For an assistant turn: the tools the model asked to call, as ``ChatResponse/toolCalls``
    /// had them.
    public var toolCalls: [ChatToolCall]
    /// For a ``Role/tool`` message: the ``ChatToolCall/id`` it answers.
    public var toolCallID: String?

    public init(role: Role, content: String, toolCalls: [ChatToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    /// An earlier answer of the model, to carry the conversation on.
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }

    /// The model's turn that asked for these calls; it must come before their results.
    /// ``ChatResponse/message`` makes it from an answer.
    public static func assistant(toolCalls: [ChatToolCall], content: String = "") -> ChatMessage {
        ChatMessage(role: .assistant, content: content, toolCalls: toolCalls)
    }

    /// What the tool of call `callID` returned (often JSON text).
    public static func tool(callID: String, content: String) -> ChatMessage {
        ChatMessage(role: .tool, content: content, toolCallID: callID)
    }

    private enum CodingKeys: String, CodingKey {
        case role, content, toolCalls, toolCallID
    }

    /// Reads messages written before tool calls existed too: no `toolCalls` is none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(Role.self, forKey: .role)
        content = try container.decode(String.self, forKey: .content)
        toolCalls = try container.decodeIfPresent([ChatToolCall].self, forKey: .toolCalls) ?? []
        toolCallID = try container.decodeIfPresent(String.self, forKey: .toolCallID)
    }
}
