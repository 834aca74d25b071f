import AgentBus
import Foundation

/// An approval request reached its deadline undecided: the decision agent's durable timer, set
/// with each ``ApprovalRequested`` and cancelled when a decision arrives.
///
/// Topic `loan.timeouts`, keyed by correlation ID.
public struct ApprovalExpired: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.approval.expired.v1"

    public var applicationId: String
    public var applicantId: String
    /// The `ce_id` of the request that expired.
    public var requestId: String
    /// The role the expired request asked for.
    public var approverRole: ApproverRole
    public var deadline: Date

    public init(applicationId: String, applicantId: String, requestId: String, approverRole: ApproverRole, deadline: Date) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.requestId = requestId
        self.approverRole = approverRole
        self.deadline = deadline
    }

    public static let examples: [ApprovalExpired] = [
        ApprovalExpired(
            applicationId: "APP-004217", applicantId: "CUS-118042", requestId: "01a24d42-fe1c-7550-9e4b-8f87ff0cbda4",
            approverRole: .seniorUnderwriter,
            deadline: Date(timeIntervalSince1970: 1_795_453_200))  // 2026-11-23T17:00:00Z
    ]
}
