import AgentBus
import Foundation

/// The application was approved, declined or referred to a human underwriter, from its risk
/// score and the lending policy. Published by the decision agent; an approved amount above its
/// authority also needs a human approval (``ApprovalRequested``).
///
/// Topic `loan.decisions`, keyed by correlation ID.
public struct DecisionMade: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.decision.made.v1"

    public var applicationId: String
    public var applicantId: String
    public var decision: LoanDecision
    /// Why, in a sentence the applicant may be shown.
    public var reason: String
    /// The amount offered: required when ``decision`` is approved, absent otherwise.
    public var approvedAmount: Money?
    /// The annual interest rate offered, in percent (above 0, at most 100): required when
    /// ``decision`` is approved, absent otherwise.
    public var interestRatePercent: Double?
    /// Whether the decision exceeds the agent's authority, so an approval is requested before the
    /// applicant is told.
    public var requiresHumanApproval: Bool
    public var decidedAt: Date

    public init(
        applicationId: String, applicantId: String, decision: LoanDecision, reason: String, approvedAmount: Money? = nil,
        interestRatePercent: Double? = nil, requiresHumanApproval: Bool, decidedAt: Date
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.decision = decision
        self.reason = reason
        self.approvedAmount = approvedAmount
        self.interestRatePercent = interestRatePercent
        self.requiresHumanApproval = requiresHumanApproval
        self.decidedAt = decidedAt
    }

    public static let examples: [DecisionMade] = [
        DecisionMade(
            applicationId: "APP-004217", applicantId: "CUS-118042", decision: .approved,
            reason: "Strong credit history and affordable repayments at the requested term.",
            approvedAmount: .eur(250_000), interestRatePercent: 4.35, requiresHumanApproval: true,
            decidedAt: Date(timeIntervalSince1970: 1_795_252_632)),  // 2026-11-21T09:17:12Z
        DecisionMade(
            applicationId: "APP-004218", applicantId: "CUS-207315", decision: .declined,
            reason: "Recent missed payments and a debt-to-income ratio above the policy limit of 45%.",
            requiresHumanApproval: false,
            decidedAt: Date(timeIntervalSince1970: 1_795_365_715)),  // 2026-11-22T16:41:55Z
    ]
}
