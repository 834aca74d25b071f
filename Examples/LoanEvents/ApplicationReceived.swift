import AgentBus
import Foundation

/// A customer's loan application, normalized and validated, with the checks it needs. Published
/// by the intake agent for each ``ApplicationSubmitted`` it accepts; the checks fan out from it.
///
/// Topic `loan.applications`, keyed by correlation ID.
public struct ApplicationReceived: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.application.received.v1"

    /// What the loan is for.
    public enum Purpose: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
        case home, car, education, business, personal
    }

    /// Where the application came in.
    public enum Channel: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
        case web, branch, partner
    }

    /// `APP-` and six digits.
    public var applicationId: String
    /// `CUS-` and six digits.
    public var applicantId: String
    public var applicant: Applicant
    /// The amount the applicant asks for.
    public var requested: Money
    /// The repayment term, 6 to 360 months.
    public var termMonths: Int
    public var purpose: Purpose
    public var submittedAt: Date
    public var channel: Channel
    /// The documents uploaded with the application, which the document extraction reads; nil when
    /// none were (never empty).
    public var documents: [SubmittedDocument]?
    /// The checks this application goes through, each once, at least one: each check agent acts on
    /// the applications that list its check, and the assessment collects one result per check.
    /// ``AssessmentCheck/documents`` is listed only with ``documents``.
    public var requiredChecks: [AssessmentCheck]

    public init(
        applicationId: String, applicantId: String, applicant: Applicant, requested: Money, termMonths: Int,
        purpose: Purpose, submittedAt: Date, channel: Channel, documents: [SubmittedDocument]? = nil,
        requiredChecks: [AssessmentCheck]
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.applicant = applicant
        self.requested = requested
        self.termMonths = termMonths
        self.purpose = purpose
        self.submittedAt = submittedAt
        self.channel = channel
        self.documents = documents
        self.requiredChecks = requiredChecks
    }

    public static let examples: [ApplicationReceived] = [
        ApplicationReceived(
            applicationId: "APP-004217", applicantId: "CUS-118042",
            applicant: Applicant(name: "Amara Okafor", email: "amara.okafor@example.com", dateOfBirth: "1988-04-12"),
            requested: .eur(250_000), termMonths: 300, purpose: .home,
            submittedAt: Date(timeIntervalSince1970: 1_795_252_530),  // 2026-11-21T09:15:30Z
            channel: .web, documents: ApplicationSubmitted.examples[0].documents,
            requiredChecks: [.documents, .credit, .fraud]),
        ApplicationReceived(
            applicationId: "APP-004218", applicantId: "CUS-207315",
            applicant: Applicant(name: "Jonas Lindqvist", email: "jonas.lindqvist@example.org", dateOfBirth: "1995-09-30"),
            requested: .eur(18_500.50), termMonths: 60, purpose: .car,
            submittedAt: Date(timeIntervalSince1970: 1_795_365_612),  // 2026-11-22T16:40:12Z
            channel: .branch, requiredChecks: [.credit]),
    ]
}
