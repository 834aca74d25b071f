import AgentBus
import Foundation

/// The application's default risk was scored from its assessment (the results of its checks).
/// Published by the risk scoring agent for each ``AssessmentCompleted``; the decision agent
/// decides from it.
///
/// Topic `loan.risk`, keyed by correlation ID.
public struct RiskScored: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.risk.scored.v1"

    /// The risk band, A (lowest risk) to E.
    public enum Grade: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
        case a = "A", b = "B", c = "C", d = "D", e = "E"
    }

    /// One thing that drove the score.
    public struct Factor: Codable, Sendable, Equatable, Hashable {
        /// A camelCase name, e.g. `creditScore`.
        public var name: String
        /// Contribution to the score, -1 to 1: positive raises the risk, negative lowers it.
        public var weight: Double

        public init(name: String, weight: Double) {
            self.name = name
            self.weight = weight
        }
    }

    public var applicationId: String
    public var applicantId: String
    /// The amount the applicant asks for, which the decision's authority limits apply to.
    public var requested: Money
    /// Estimated probability of default, 0 to 1.
    public var score: Double
    public var grade: Grade
    /// Monthly debt payments, including the new loan, over monthly income; nil when no income was
    /// extracted (the application had no documents, or their extraction did not come in).
    public var debtToIncomeRatio: Double?
    /// At least one, largest effect first.
    public var factors: [Factor]
    /// The scoring model and its version, e.g. `risk-v3`.
    public var model: String
    public var scoredAt: Date

    public init(
        applicationId: String, applicantId: String, requested: Money, score: Double, grade: Grade,
        debtToIncomeRatio: Double?, factors: [Factor], model: String, scoredAt: Date
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.requested = requested
        self.score = score
        self.grade = grade
        self.debtToIncomeRatio = debtToIncomeRatio
        self.factors = factors
        self.model = model
        self.scoredAt = scoredAt
    }

    public static let examples: [RiskScored] = [
        RiskScored(
            applicationId: "APP-004217", applicantId: "CUS-118042", requested: .eur(250_000), score: 0.18, grade: .b, debtToIncomeRatio: 0.31,
            factors: [
                Factor(name: "creditScore", weight: -0.22),
                Factor(name: "loanToIncome", weight: 0.15),
                Factor(name: "employmentTenure", weight: -0.06),
            ],
            model: "risk-v3", scoredAt: Date(timeIntervalSince1970: 1_795_252_625)),  // 2026-11-21T09:17:05Z
        RiskScored(
            applicationId: "APP-004218", applicantId: "CUS-207315", requested: .eur(18_500.50), score: 0.71, grade: .e, debtToIncomeRatio: 0.58,
            factors: [Factor(name: "delinquencies", weight: 0.34), Factor(name: "debtToIncome", weight: 0.21)],
            model: "risk-v3", scoredAt: Date(timeIntervalSince1970: 1_795_365_710)),  // 2026-11-22T16:41:50Z
    ]
}
