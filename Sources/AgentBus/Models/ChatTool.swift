/// A function the model may ask to call (OpenAI's `tools`, type `function`). The model does not
/// run it: it answers with ``ChatToolCall``s, the agent runs them and sends each result back as a
/// ``ChatMessage/tool(callID:content:)`` message.
public struct ChatTool: Sendable, Hashable, Codable {
    /// What the model calls it by: letters, digits, `_` and `-` (providers allow up to 64).
    public var name: String
    /// What it does and when to use it; the model reads this to decide. Empty: not sent.
    public var description: String
    /// A JSON Schema of its arguments (an object schema), as JSON text.
    public var parameters: String

    public init(name: String, description: String, parameters: String = #"{"type":"object","properties":{}}"#) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}
