import AgentBus
import Foundation

/// A person with the required authority refused a loan that needed human approval, overriding the
/// agent's approval. Published by the approvals console (`agentbus reject`) as a child of the
/// ``ApprovalRequested`` it answers, recording who decided, why and from where.
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
    /// The `ce_id` of the ``ApprovalRequested`` event this answers.
    public var requestId: String
    /// The ``ApprovalRequested/applicantId`` of the request: who is told.
    public var applicantId: String
    public var approver: Approver
    /// The kind of reason, when the approver gave one.
    public var reasonCode: ReasonCode?
    /// The approver's reason.
    public var comment: String
    public var decidedAt: Date
    /// The machine and operating-system user the decision was made from.
    public var origin: ApprovalOrigin

    public init(
        applicationId: String, applicantId: String, requestId: String, approver: Approver, reasonCode: ReasonCode? = nil, comment: String,
        decidedAt: Date, origin: ApprovalOrigin
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.requestId = requestId
        self.approver = approver
        self.reasonCode = reasonCode
        self.comment = comment
        self.decidedAt = decidedAt
        self.origin = origin
    }

    public static let examples: [ApprovalRejected] = [
        ApprovalRejected(
            applicationId: "APP-004225", applicantId: "CUS-310877", requestId: "c3e1b9d4-27a8-4f05-b6c2-9e7d1a3f5b80",
            approver: Approver(id: "EMP-10022", name: "Daniel Weber", role: .creditCommittee),
            reasonCode: .excessiveRisk,
            comment: "Exposure to a single hospitality client is too high for our sector limits this quarter.",
            decidedAt: Date(timeIntervalSince1970: 1_795_620_644),  // 2026-11-25T15:30:44Z
            origin: ApprovalOrigin(host: "approvals-02", user: "dweber"))
    ]
}
