import AgentBus
import Foundation

/// An approved loan exceeds the decision agent's lending authority, so a person with the given
/// role must approve it before the deadline. Published by the decision agent; the approvals
/// console picks it up and answers with ``ApprovalGranted`` or ``ApprovalRejected``.
///
/// Topic `loan.approvals`, keyed by correlation ID.
public struct ApprovalRequested: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.approval.requested.v1"

    public var applicationId: String
    public var applicantId: String
    /// The amount to approve.
    public var amount: Money
    /// The lowest role whose authority covers the amount.
    public var approverRole: ApproverRole
    /// The agent's lending authority, which the amount exceeds.
    public var authorityThreshold: Money
    /// What the approver should look at.
    public var reason: String
    public var requestedAt: Date
    /// When the request escalates if no one has decided.
    public var deadline: Date
    /// The `ce_id` of the earlier request this one replaces (an escalation to a higher role):
    /// that one can no longer be decided.
    public var supersedes: String?

    public init(
        applicationId: String, applicantId: String, amount: Money, approverRole: ApproverRole, authorityThreshold: Money, reason: String,
        requestedAt: Date, deadline: Date, supersedes: String? = nil
    ) {
        self.supersedes = supersedes
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.amount = amount
        self.approverRole = approverRole
        self.authorityThreshold = authorityThreshold
        self.reason = reason
        self.requestedAt = requestedAt
        self.deadline = deadline
    }

    public static let examples: [ApprovalRequested] = [
        ApprovalRequested(
            applicationId: "APP-004217", applicantId: "CUS-118042", amount: .eur(250_000), approverRole: .seniorUnderwriter,
            authorityThreshold: .eur(150_000), reason: "Mortgage above the automatic approval limit; risk grade B.",
            requestedAt: Date(timeIntervalSince1970: 1_795_252_633),  // 2026-11-21T09:17:13Z
            deadline: Date(timeIntervalSince1970: 1_795_453_200)),  // 2026-11-23T17:00:00Z
        ApprovalRequested(
            applicationId: "APP-004225", applicantId: "CUS-310877", amount: .eur(1_200_000), approverRole: .creditCommittee,
            authorityThreshold: .eur(150_000),
            reason: "Business loan above the senior underwriter limit; risk grade C, concentrated in one sector.",
            requestedAt: Date(timeIntervalSince1970: 1_795_514_700),  // 2026-11-24T10:05:00Z
            deadline: Date(timeIntervalSince1970: 1_795_712_400)),  // 2026-11-26T17:00:00Z
    ]
}
