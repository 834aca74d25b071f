import LoanEvents

/// What the lending policy decided about one application: the decision, and the approval it
/// asks for when the decision exceeds the agent's authority.
struct LendingDecision: Sendable, Equatable {
    var made: DecisionMade
    /// Present exactly when ``made`` requires human approval.
    var approval: ApprovalRequested?
}
