/// OpenTelemetry's GenAI semantic conventions (development status, v1.37), set on the span of
/// every model call, then AgentBus's own.
enum GenAIAttribute {
    static let operationName = "gen_ai.operation.name"
    static let providerName = "gen_ai.provider.name"
    static let requestModel = "gen_ai.request.model"
    static let requestTemperature = "gen_ai.request.temperature"
    static let requestMaxTokens = "gen_ai.request.max_tokens"
    static let responseModel = "gen_ai.response.model"
    static let responseFinishReasons = "gen_ai.response.finish_reasons"
    static let inputTokens = "gen_ai.usage.input_tokens"
    static let outputTokens = "gen_ai.usage.output_tokens"

    /// What the call cost, from the agent's price table.
    static let cost = "agentbus.model.cost"
    /// The effect's name, and whether its answer came from the journal (no call made).
    static let effect = "agentbus.effect.name"
    static let replayed = "agentbus.effect.replayed"
}
