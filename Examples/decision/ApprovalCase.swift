import LoanEvents

/// An approval the decision agent is waiting for, kept in its state per workflow: the request
/// that may be decided now, and whether a decision has been taken.
struct ApprovalCase: Codable, Sendable {
    /// The request that may be decided: the latest (an escalation supersedes the one before).
    var request: ApprovalRequested
    var requestId: String
    /// The rate the agent offered with its approval, for the final decision.
    var interestRatePercent: Double?
    /// The name of the current request's expiry timer: one per round (`approval <role>`), so the
    /// tombstone of a fired timer never deletes the next round's. Nil in cases kept by version
    /// 1.0, whose one timer was named `approval`.
    var timerName: String?
    /// Set once a decision (or the timeout's) was taken: later ones are refused.
    var decidedBy: String?
    /// When it was decided, in milliseconds since 1970: the case is removed a while after.
    var decidedAt: Int64?
}

/// What the decision agent does when an approval request expires undecided.
enum ApprovalTimeoutPolicy: String, Sendable {
    /// Ask the next role up, with a new deadline; decline once there is no role above.
    case escalate
    /// Decline the loan.
    case decline
}
