import AgentBus
import Foundation

/// A person with the required authority approved a loan that needed human approval. Published by
/// the approvals console (`agentbus approve`) as a child of the ``ApprovalRequested`` it answers,
/// recording who decided and from where.
///
/// Topic `loan.approvals`, keyed by correlation ID.
public struct ApprovalGranted: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.approval.granted.v1"

    public var applicationId: String
    /// The `ce_id` of the ``ApprovalRequested`` event this answers.
    public var requestId: String
    /// The ``ApprovalRequested/applicantId`` of the request: who is told.
    public var applicantId: String
    public var approver: Approver
    /// The amount approved: the requested amount, or less.
    public var approvedAmount: Money
    public var comment: String?
    public var decidedAt: Date
    /// The machine and operating-system user the decision was made from.
    public var origin: ApprovalOrigin

    public init(
        applicationId: String, applicantId: String, requestId: String, approver: Approver, approvedAmount: Money, comment: String? = nil,
        decidedAt: Date, origin: ApprovalOrigin
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.requestId = requestId
        self.approver = approver
        self.approvedAmount = approvedAmount
        self.comment = comment
        self.decidedAt = decidedAt
        self.origin = origin
    }

    public static let examples: [ApprovalGranted] = [
        ApprovalGranted(
            applicationId: "APP-004217", applicantId: "CUS-118042", requestId: "5f0c7a52-93d1-4b6e-8f2a-1d4c6b8e0a37",
            approver: Approver(id: "EMP-30417", name: "Priya Raman", role: .seniorUnderwriter),
            approvedAmount: .eur(250_000),
            comment: "Income verified against twelve months of statements; property valuation on file.",
            decidedAt: Date(timeIntervalSince1970: 1_795_269_771),  // 2026-11-21T14:02:51Z
            origin: ApprovalOrigin(host: "approvals-01", user: "praman"))
    ]
}
