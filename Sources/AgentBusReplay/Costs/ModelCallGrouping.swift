import AgentBus

/// What `agentbus costs --by` adds model calls up by.
public enum ModelCallGrouping: String, Sendable, Hashable, CaseIterable {
    /// The agent that made the call.
    case agent
    /// The model the agent asked for (`gen_ai.request.model`), which is what its price table
    /// prices first.
    case model
    /// The workflow: the handled event's correlation ID.
    case workflow

    /// The key a call is added up under.
    func key(of call: ModelCallRecord, agent: String, correlationID: String?) -> String {
        switch self {
        case .agent: agent
        case .model: call.requestModel
        case .workflow: correlationID ?? ""
        }
    }
}
