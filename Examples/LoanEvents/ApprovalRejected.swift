import AgentBus
import Foundation

/// A person with the required authority refused a loan that needed human approval, overriding the
/// agent's approval. Published by the approvals console when the approver rejects an
/// ``ApprovalRequested``.
///
/// Topic `loan.approvals`, keyed by correlation ID.
public struct ApprovalRejected: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.approval.rejected.v1"

    public enum ReasonCode: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
        case insufficientIncome = "insufficient-income"
        case excessiveRisk = "excessive-risk"
        case incompleteDocuments = "incomplete-documents"
        case suspectedFraud = "suspected-fraud"
        case policyException = "policy-exception"
    }

    public var applicationId: String
    /// The ``ApprovalRequested/applicantId`` of the request: who is told.
    public var applicantId: String
    public var approver: Approver
    public var reasonCode: ReasonCode
    /// The approver's explanation.
    public var comment: String
    public var decidedAt: Date

    public init(
        applicationId: String, applicantId: String, approver: Approver, reasonCode: ReasonCode, comment: String,
        decidedAt: Date
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.approver = approver
        self.reasonCode = reasonCode
        self.comment = comment
        self.decidedAt = decidedAt
    }

    public static let examples: [ApprovalRejected] = [
        ApprovalRejected(
            applicationId: "APP-004225", applicantId: "CUS-310877",
            approver: Approver(id: "EMP-10022", name: "Daniel Weber", role: .creditCommittee),
            reasonCode: .excessiveRisk,
            comment: "Exposure to a single hospitality client is too high for our sector limits this quarter.",
            decidedAt: Date(timeIntervalSince1970: 1_795_620_644))  // 2026-11-25T15:30:44Z
    ]
}
