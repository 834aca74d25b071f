import AgentBus

/// One record of an agent's effect journal (`<agent>.journal`) that names its workflow in the
/// `agentbus_correlation_id` header: carried with the workflow for reruns, never part of its
/// graph.
struct IndexedJournalEntry: Sendable {
    var correlation: Int32
    /// The journal's topic, `<agent>.journal`.
    var topic: Int32
    var record: Int32
}
