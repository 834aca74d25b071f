import AgentBus

/// A record replay could not use: where it is and why, for `replay lint` and the warnings
/// `replay` prints.
struct ReplayInputProblem: Sendable, Hashable {
    /// `topic/partition/offset`, or `line N` of a saved log.
    var location: String
    /// The workflow it belongs to, when the damaged record still named one.
    var correlationID: String?
    var message: String
}
