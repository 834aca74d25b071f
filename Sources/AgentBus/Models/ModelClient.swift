/// Something that answers chat requests: a model provider behind an HTTP API
/// (``OpenAICompatibleClient``), or a stand-in in tests.
public protocol ModelClient: Sendable {
    /// The provider as OpenTelemetry's `gen_ai.provider.name` names it (`openai`, ...).
    var providerName: String { get }
    /// The model a request without one goes to (`gen_ai.request.model`).
    var defaultModel: String { get }
    /// Names the pool of rate limits this client's calls share: its endpoint.
    var endpoint: String { get }
    func complete(_ request: ChatRequest) async throws(ModelError) -> ChatResponse
}

extension ModelClient {
    public var providerName: String { "openai" }
    public var endpoint: String { "\(providerName)" }
}
