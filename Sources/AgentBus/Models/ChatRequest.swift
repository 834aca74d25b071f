/// What to ask a model: the conversation so far and how to answer.
public struct ChatRequest: Sendable, Hashable {
    public var messages: [ChatMessage]
    /// The model to ask; nil: the client's configured model.
    public var model: String?
    /// 0 for the most repeatable answers. Nil: the provider's default.
    public var temperature: Double?
    /// The most tokens the answer may have. Nil: the provider's default.
    public var maxTokens: Int?
    /// A JSON Schema the answer must match (structured output), as JSON text; nil: free text.
    public var responseSchema: String?
    /// Functions the model may ask to call; it answers with ``ChatResponse/toolCalls`` then.
    public var tools: [ChatTool]
    /// Whether it may, must or must not call them; sent only with ``tools``.
    public var toolChoice: ChatToolChoice

    public init(
        messages: [ChatMessage], model: String? = nil, temperature: Double? = 0, maxTokens: Int? = nil,
        responseSchema: String? = nil, tools: [ChatTool] = [], toolChoice: ChatToolChoice = .auto
    ) {
        self.messages = messages
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.responseSchema = responseSchema
        self.tools = tools
        self.toolChoice = toolChoice
    }
}
