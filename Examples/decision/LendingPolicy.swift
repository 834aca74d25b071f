import Foundation
import LoanEvents

/// The decision agent's lending policy: which risk grades it approves or declines by itself,
/// how much it may lend on its own authority, and who must approve more.
///
/// - Grades up to ``approveUpToGrade`` are approved; from ``declineFromGrade`` declined; those
///   between are referred to an underwriter (the agent cannot decide them within policy).
/// - An approval of more than ``authority`` needs a person: the decision says so, and an
///   ``ApprovalRequested`` names the lowest role whose limit covers the amount, with a deadline
///   ``approvalTimeout`` away. A decline never needs one: refusing is within any authority.
struct LendingPolicy: Sendable {
    /// The most the agent approves without a person.
    var authority: Double = 150_000
    var approveUpToGrade: RiskScored.Grade = .b
    var declineFromGrade: RiskScored.Grade = .d
    /// The most an underwriter may approve; above it, a senior underwriter.
    var underwriterLimit: Double = 200_000
    /// The most a senior underwriter may approve; above it, the credit committee.
    var seniorUnderwriterLimit: Double = 1_000_000
    /// How long an approver has before the request escalates.
    var approvalTimeout: Duration = .seconds(60)

    /// The annual interest rate offered per approved grade, in percent.
    static let interestRates: [RiskScored.Grade: Double] = [.a: 3.95, .b: 5.25, .c: 7.5, .d: 10.9, .e: 14.9]

    /// Why a policy is not usable, or nil when it is.
    var problem: String? {
        if authority <= 0 { return "the authority must be above 0, got \(authority)" }
        if Self.rank(approveUpToGrade) >= Self.rank(declineFromGrade) {
            return "the approve-up-to grade (\(approveUpToGrade.rawValue)) must be better than the decline-from grade (\(declineFromGrade.rawValue))"
        }
        if underwriterLimit <= 0 || seniorUnderwriterLimit < underwriterLimit {
            return "the limits must rise by role: underwriter \(underwriterLimit), senior underwriter \(seniorUnderwriterLimit)"
        }
        if approvalTimeout <= .zero { return "the approval timeout must be above 0" }
        return nil
    }

    /// The decision on `risk`, made at `now`.
    func decide(_ risk: RiskScored, now: Date) -> LendingDecision {
        let amount = risk.requested
        let grade = risk.grade.rawValue
        func made(_ decision: LoanDecision, _ reason: String, humanApproval: Bool = false) -> DecisionMade {
            DecisionMade(
                applicationId: risk.applicationId, applicantId: risk.applicantId, decision: decision, reason: reason,
                approvedAmount: decision == .approved ? amount : nil,
                interestRatePercent: decision == .approved ? Self.interestRates[risk.grade] : nil,
                requiresHumanApproval: humanApproval, decidedAt: now)
        }
        if Self.rank(risk.grade) >= Self.rank(declineFromGrade) {
            return LendingDecision(made: made(.declined, "The assessed risk of the loan (grade \(grade)) is above what we lend at."))
        }
        if Self.rank(risk.grade) > Self.rank(approveUpToGrade) {
            return LendingDecision(made: made(.referred, "An underwriter will review the application (risk grade \(grade))."))
        }
        guard amount.amount > authority else {
            return LendingDecision(made: made(.approved, "Risk grade \(grade), within the automatic approval limit."))
        }
        let role: ApproverRole =
            amount.amount <= underwriterLimit ? .underwriter
            : amount.amount <= seniorUnderwriterLimit ? .seniorUnderwriter : .creditCommittee
        let threshold = Money.rounded(authority, currency: amount.currency)
        return LendingDecision(
            made: made(.approved, "Risk grade \(grade); approved subject to review by a \(role.rawValue).", humanApproval: true),
            approval: ApprovalRequested(
                applicationId: risk.applicationId, applicantId: risk.applicantId, amount: amount, approverRole: role,
                authorityThreshold: threshold,
                reason: "Amount above the automatic approval limit of \(Self.format(threshold)); risk grade \(grade), score \(risk.score).",
                requestedAt: now, deadline: now.addingTimeInterval(Self.seconds(approvalTimeout))))
    }

    /// A grade's place, A first.
    static func rank(_ grade: RiskScored.Grade) -> Int { RiskScored.Grade.allCases.firstIndex(of: grade) ?? 0 }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    static func format(_ money: Money) -> String { String(format: "%.2f %@", money.amount, money.currency) }
}
