import AgentBus
import Foundation

/// The deadline for collecting an application's checks has come: the aggregator's durable
/// timer, set when the application arrives and cancelled when every check is in.
///
/// Topic `loan.timeouts`, keyed by correlation ID.
public struct AssessmentDue: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.assessment.due.v1"

    public var applicationId: String
    /// Absent on the cleanup timer of checks whose application never came, when no check named
    /// the applicant.
    public var applicantId: String?
    public var dueAt: Date

    public init(applicationId: String, applicantId: String?, dueAt: Date) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.dueAt = dueAt
    }

    public static let examples: [AssessmentDue] = [
        AssessmentDue(
            applicationId: "APP-004217", applicantId: "CUS-118042",
            dueAt: Date(timeIntervalSince1970: 1_795_252_612))  // 2026-11-21T09:16:52Z
    ]
}
