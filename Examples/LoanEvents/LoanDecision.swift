/// The outcome of a loan application (`defs/loan.json#/$defs/decision`).
public enum LoanDecision: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case approved
    case declined
    /// Sent to a human underwriter: the decision agent could not decide within policy.
    case referred
}
