import AgentBus
import Foundation

/// A plain-language explanation of a final loan decision, for the applicant's letter and the
/// case file. Published by the explainer agent: written by a language model when its answer
/// passes the explanation's schema and agrees with the decision, otherwise by a deterministic
/// fallback from the decision's reason (``source`` says which, ``fallbackReason`` why).
///
/// Topic `loan.explanations`, keyed by applicant.
public struct DecisionExplained: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.decision.explained.v1"

    /// Who wrote the explanation.
    public enum Source: String, Codable, Sendable, Equatable, Hashable {
        case model
        /// The model's answer was unusable, or the model unavailable.
        case fallback
    }

    public var applicationId: String
    public var applicantId: String
    public var decision: LoanDecision
    /// What the applicant is told about why (at most 600 characters).
    public var explanation: String
    /// The factors that weighed most (at most three).
    public var keyFactors: [String]
    public var source: Source
    /// Why the fallback was used, in one line: required when ``source`` is fallback, absent otherwise.
    public var fallbackReason: String?
    /// The model asked, as the provider names it.
    public var model: String?
    public var explainedAt: Date

    public init(
        applicationId: String, applicantId: String, decision: LoanDecision, explanation: String, keyFactors: [String],
        source: Source, fallbackReason: String? = nil, model: String? = nil, explainedAt: Date
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.decision = decision
        self.explanation = explanation
        self.keyFactors = keyFactors
        self.source = source
        self.fallbackReason = fallbackReason
        self.model = model
        self.explainedAt = explainedAt
    }

    public static let examples: [DecisionExplained] = [
        DecisionExplained(
            applicationId: "APP-004218", applicantId: "CUS-207315", decision: .declined,
            explanation: "We could not offer this loan because of recent missed payments and a debt-to-income ratio above our limit of 45%.",
            keyFactors: ["recent missed payments", "debt-to-income above 45%"], source: .model, model: "smollm2-135m",
            explainedAt: Date(timeIntervalSince1970: 1_795_365_717)),  // 2026-11-22T16:41:57Z
        DecisionExplained(
            applicationId: "APP-004217", applicantId: "CUS-118042", decision: .approved,
            explanation: "Your application was approved: Strong credit history and affordable repayments at the requested term.",
            keyFactors: ["Strong credit history and affordable repayments at the requested term."], source: .fallback,
            fallbackReason: "the model's answer does not match the explanation schema: /explanation: missing",
            model: "smollm2-135m", explainedAt: Date(timeIntervalSince1970: 1_795_252_634)),  // 2026-11-21T09:17:14Z
    ]
}
