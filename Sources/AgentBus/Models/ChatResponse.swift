/// A model's answer, with what it cost in tokens and time.
public struct ChatResponse: Sendable, Hashable, Codable {
    /// The answer's text (JSON text when a response schema was asked for).
    public var content: String
    /// Why the model stopped: `stop`, `length` (ran out of tokens), ...
    public var finishReason: String?
    /// The model that answered, as the provider names it.
    public var model: String
    public var usage: ModelUsage
    /// From sending the request to reading the whole answer.
    public var latency: Duration

    public init(content: String, finishReason: String?, model: String, usage: ModelUsage, latency: Duration) {
        self.content = content
        self.finishReason = finishReason
        self.model = model
        self.usage = usage
        self.latency = latency
    }
}
