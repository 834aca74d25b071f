/// Tokens a call used (OpenTelemetry's `gen_ai.usage.input_tokens` and `output_tokens`).
public struct ModelUsage: Sendable, Hashable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int, outputTokens: Int) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}
