import AgentBus

/// How one event fared, summarised over every agent that consumes it.
public enum ReplayNodeStatus: String, Sendable, Hashable, CaseIterable {
    /// Every recorded handling succeeded (or was a duplicate of one that did).
    case ok
    /// An agent dead-lettered or rejected it, and no redrive has succeeded since.
    case deadLettered = "dead-lettered"
    /// It is waiting in a retry topic: the last handling by some agent was `retried`.
    case retrying
    /// A registered consumer has not handled it yet.
    case awaiting
    /// Its workflow was cancelled (`agentbus cancel`) before or while an agent handled it.
    case cancelled
    /// No agent consumes it, as far as the log shows: the end of a branch.
    case terminal
}
