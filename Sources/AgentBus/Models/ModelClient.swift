/// Something that answers chat requests: a model provider behind an HTTP API
/// (``OpenAICompatibleClient``), or a stand-in in tests.
public protocol ModelClient: Sendable {
    func complete(_ request: ChatRequest) async throws(ModelError) -> ChatResponse
}
