import AgentBus
import Foundation

/// A person with the required authority approved a loan that needed human approval. Published by
/// the approvals console when the approver signs off an ``ApprovalRequested``.
///
/// Topic `loan.approvals`, keyed by correlation ID.
public struct ApprovalGranted: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.approval.granted.v1"

    public var applicationId: String
    /// The ``ApprovalRequested/applicantId`` of the request: who is told.
    public var applicantId: String
    public var approver: Approver
    /// The amount approved: the requested amount, or less.
    public var approvedAmount: Money
    public var comment: String?
    public var decidedAt: Date

    public init(
        applicationId: String, applicantId: String, approver: Approver, approvedAmount: Money, comment: String? = nil,
        decidedAt: Date
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.approver = approver
        self.approvedAmount = approvedAmount
        self.comment = comment
        self.decidedAt = decidedAt
    }

    public static let examples: [ApprovalGranted] = [
        ApprovalGranted(
            applicationId: "APP-004217", applicantId: "CUS-118042",
            approver: Approver(id: "EMP-30417", name: "Priya Raman", role: .seniorUnderwriter),
            approvedAmount: .eur(250_000),
            comment: "Income verified against twelve months of statements; property valuation on file.",
            decidedAt: Date(timeIntervalSince1970: 1_795_269_771))  // 2026-11-21T14:02:51Z
    ]
}
