import AgentBus
import Foundation

/// An application's checks could not be collected into an assessment that can be scored (a
/// check the workflow cannot do without is missing at the collection deadline, say). Published
/// by the assessment's collector instead of an ``AssessmentCompleted``; the application goes no
/// further, and the notifier tells the applicant.
///
/// Topic `loan.assessments`, keyed by correlation ID.
public struct AssessmentFailed: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.assessment.failed.v1"

    public var applicationId: String
    public var applicantId: String
    /// Why, for the operator.
    public var reason: String
    /// The required checks whose results did not come in.
    public var missing: [AssessmentCheck]
    public var failedAt: Date

    public init(applicationId: String, applicantId: String, reason: String, missing: [AssessmentCheck], failedAt: Date) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.reason = reason
        self.missing = missing
        self.failedAt = failedAt
    }

    public static let examples: [AssessmentFailed] = [
        AssessmentFailed(
            applicationId: "APP-004231", applicantId: "CUS-402291",
            reason: "No credit report 120 s after the application: the assessment cannot be scored without one.",
            missing: [.credit, .fraud],
            failedAt: Date(timeIntervalSince1970: 1_795_690_920))  // 2026-11-26T11:02:00Z
    ]
}
