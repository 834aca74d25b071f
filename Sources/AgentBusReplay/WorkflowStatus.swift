import AgentBus

/// Where a workflow stands, as `replay ls` shows it.
public enum WorkflowStatus: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Nothing is waiting and nothing failed.
    case completed
    /// Some event was dead-lettered and not redriven successfully.
    case failed
    /// It was cancelled (`agentbus cancel`): some agent skipped or stopped its events.
    case cancelled
    /// Some event still waits for a consumer or a retry, and the workflow has been quiet for
    /// longer than the stall threshold.
    case stalled
    /// Some event still waits, but the workflow moved recently.
    case running

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
