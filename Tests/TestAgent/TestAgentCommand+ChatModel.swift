import AgentBus

extension TestAgentCommand {
    /// The `chat-hop` role's model, from the model options: `--model-url` (or
    /// `$AGENTBUS_MODEL_URL`), paced by `--model-rpm` and `--model-tpm` when given, as
    /// ``ModelOptions/client(pools:environment:)`` makes it.
    ///
    /// `AGENTBUS_TEST_MODEL_MAX_WAIT_MS` sets how long the rate-limited client itself rides out
    /// 429s (``RateLimitedModelClient/maxWait``; the model options' is 10 s): 0 lets every 429
    /// out of the handler after throttling the pool, so a test of a short storm reaches the
    /// runtime's throttle (``AgentPolicies/maxThrottleWait``).
    func chatModel(environment: [String: String]) throws -> any ModelClient {
        guard let text = environment["AGENTBUS_TEST_MODEL_MAX_WAIT_MS"] else { return try model.client(environment: environment) }
        guard let milliseconds = Int(text), milliseconds >= 0 else {
            throw AgentConfigurationError("AGENTBUS_TEST_MODEL_MAX_WAIT_MS must be a whole number of milliseconds, got \"\(text)\"")
        }
        let client = OpenAICompatibleClient(configuration: try model.configuration(environment: environment))
        guard let limit = try model.rateLimit(environment: environment) else { return client }
        return RateLimitedModelClient(client, limit: limit, pools: RateLimitPools(), maxWait: .milliseconds(milliseconds))
    }
}
