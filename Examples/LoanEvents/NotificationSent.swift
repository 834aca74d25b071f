import AgentBus
import Foundation

/// The applicant was told the outcome of their application. Published by the notification agent
/// once the message is handed to the email, SMS or letter provider.
///
/// Topic `loan.notifications`, keyed by `applicantId` so one customer's notifications stay in order.
public struct NotificationSent: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.notification.sent.v1"

    public enum Channel: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
        case email, sms, letter
    }

    /// What the applicant was told: a decision, or that the application could not be assessed.
    public enum Outcome: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
        case approved, declined, referred
        /// The checks could not be collected into an assessment (``AssessmentFailed``).
        case notAssessed = "not-assessed"

        /// The outcome that tells `decision`.
        public init(_ decision: LoanDecision) {
            switch decision {
            case .approved: self = .approved
            case .declined: self = .declined
            case .referred: self = .referred
            }
        }
    }

    public var applicationId: String
    public var applicantId: String
    public var channel: Channel
    /// The message template used, in kebab-case (`loan-approved`).
    public var template: String
    /// The language of the message, as a BCP 47 language-region tag (`en-GB`).
    public var locale: String
    public var outcome: Outcome
    public var sentAt: Date

    public init(
        applicationId: String, applicantId: String, channel: Channel, template: String, locale: String,
        outcome: Outcome, sentAt: Date
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.channel = channel
        self.template = template
        self.locale = locale
        self.outcome = outcome
        self.sentAt = sentAt
    }

    public static let examples: [NotificationSent] = [
        NotificationSent(
            applicationId: "APP-004217", applicantId: "CUS-118042", channel: .email, template: "loan-approved",
            locale: "en-GB", outcome: .approved,
            sentAt: Date(timeIntervalSince1970: 1_795_269_785)),  // 2026-11-21T14:03:05Z
        NotificationSent(
            applicationId: "APP-004218", applicantId: "CUS-207315", channel: .sms, template: "loan-declined",
            locale: "sv-SE", outcome: .declined,
            sentAt: Date(timeIntervalSince1970: 1_795_365_723)),  // 2026-11-22T16:42:03Z
    ]
}
