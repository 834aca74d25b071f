/// What an assessment keeps of a ``FraudChecked`` (`defs/loan.json#/$defs/fraudResult`).
public struct FraudResult: Codable, Sendable, Equatable, Hashable {
    public var riskLevel: FraudChecked.RiskLevel
    /// The fraud signals that fired, as distinct kebab-case codes; empty when none did.
    public var signals: [String]
    /// Whether the ID document matched the applicant's details.
    public var identityVerified: Bool

    public init(riskLevel: FraudChecked.RiskLevel, signals: [String], identityVerified: Bool) {
        self.riskLevel = riskLevel
        self.signals = signals
        self.identityVerified = identityVerified
    }

    /// The result of `check`.
    public init(_ check: FraudChecked) {
        self.init(riskLevel: check.riskLevel, signals: check.signals, identityVerified: check.identityVerified)
    }
}
