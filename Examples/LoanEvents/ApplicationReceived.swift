import AgentBus
import Foundation

/// A customer submitted a loan application. Published by the intake agent when the web, branch or
/// partner channel hands in a complete application; it starts the workflow.
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

    public init(
        applicationId: String, applicantId: String, applicant: Applicant, requested: Money, termMonths: Int,
        purpose: Purpose, submittedAt: Date, channel: Channel
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.applicant = applicant
        self.requested = requested
        self.termMonths = termMonths
        self.purpose = purpose
        self.submittedAt = submittedAt
        self.channel = channel
    }

    public static let examples: [ApplicationReceived] = [
        ApplicationReceived(
            applicationId: "APP-004217", applicantId: "CUS-118042",
            applicant: Applicant(name: "Amara Okafor", email: "amara.okafor@example.com", dateOfBirth: "1988-04-12"),
            requested: .eur(250_000), termMonths: 300, purpose: .home,
            submittedAt: Date(timeIntervalSince1970: 1_795_252_530),  // 2026-11-21T09:15:30Z
            channel: .web),
        ApplicationReceived(
            applicationId: "APP-004218", applicantId: "CUS-207315",
            applicant: Applicant(name: "Jonas Lindqvist", email: "jonas.lindqvist@example.org", dateOfBirth: "1995-09-30"),
            requested: .eur(18_500.50), termMonths: 60, purpose: .car,
            submittedAt: Date(timeIntervalSince1970: 1_795_365_612),  // 2026-11-22T16:40:12Z
            channel: .branch),
    ]
}
