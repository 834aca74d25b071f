/// Headers of `<agent>.journal` records: what a reader needs besides the result (the value).
package enum EffectHeader {
    /// The effect's name.
    package static let effect = "agentbus_effect"
    /// The handled event's workflow, so `agentbus costs --by workflow` and replay can group entries.
    package static let correlationID = "agentbus_correlation_id"
    /// The agent and instance that ran the effect.
    package static let agent = "agentbus_agent"
    package static let instance = "agentbus_instance"
    /// For a model call, its ``ModelCallRecord`` as JSON.
    package static let modelCall = "agentbus_model_call"
    /// `redacted` when the result was redacted before being journaled.
    package static let journaled = "agentbus_journaled"
}
