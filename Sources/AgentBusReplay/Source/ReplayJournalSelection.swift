import AgentBus

/// Which records of the agents' effect journals (`<agent>.journal`) a replay read keeps.
///
/// The views never use them: they are carried only for `agentbus replay rerun` (which serves
/// every effect and model answer from them) and for saved logs that will be rerun. A journal holds
/// every agent's results for every workflow (model answers can be large), so a read keeps only
/// what it needs.
public enum ReplayJournalSelection: Sendable, Hashable {
    /// None: the journal topics are not read.
    case none
    /// The entries of one workflow (their `agentbus_correlation_id` header), of every agent or
    /// only of `agent`.
    case workflow(String, agent: String? = nil)
    /// Every entry.
    case all

    /// Whether a read with this selection reads `topic`, a journal topic.
    func reads(journal topic: String) -> Bool {
        switch self {
        case .none: false
        case .all: true
        case .workflow(_, let agent): agent.map { AgentTopics.journal(of: $0) == topic } ?? true
        }
    }

    /// The correlation ID whose entries are kept, or nil for all of them.
    var correlationID: String? {
        if case .workflow(let correlationID, _) = self { return correlationID }
        return nil
    }
}
