import AgentBus
import Foundation

/// A loan application as the web, branch or partner channel hands it in, before any checking:
/// IDs, names and emails as typed (any case, stray spaces), the currency in any case, the amount
/// as a plain number. The intake agent normalizes and validates it and publishes an
/// ``ApplicationReceived``; it starts the workflow.
///
/// Topic `loan.intake`, keyed by correlation ID.
public struct ApplicationSubmitted: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.application.submitted.v1"

    /// The applicant's details as typed.
    public struct Applicant: Codable, Sendable, Equatable, Hashable {
        public var name: String
        public var email: String
        /// A full date, `YYYY-MM-DD`.
        public var dateOfBirth: String

        public init(name: String, email: String, dateOfBirth: String) {
            self.name = name
            self.email = email
            self.dateOfBirth = dateOfBirth
        }
    }

    /// As the channel sent it; intake makes it `APP-` and six digits.
    public var applicationId: String
    /// As the channel sent it; intake makes it `CUS-` and six digits.
    public var applicantId: String
    public var applicant: Applicant
    /// The amount asked for, in units of ``currency``; not yet checked.
    public var amount: Double
    /// An ISO 4217 code in any case, possibly with spaces around it.
    public var currency: String
    /// Not yet checked against the 6 to 360 months offered.
    public var termMonths: Int
    public var purpose: ApplicationReceived.Purpose
    public var submittedAt: Date
    public var channel: ApplicationReceived.Channel
    /// The documents uploaded with the application; nil or empty when none were.
    public var documents: [SubmittedDocument]?

    public init(
        applicationId: String, applicantId: String, applicant: Applicant, amount: Double, currency: String,
        termMonths: Int, purpose: ApplicationReceived.Purpose, submittedAt: Date, channel: ApplicationReceived.Channel,
        documents: [SubmittedDocument]? = nil
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.applicant = applicant
        self.amount = amount
        self.currency = currency
        self.termMonths = termMonths
        self.purpose = purpose
        self.submittedAt = submittedAt
        self.channel = channel
        self.documents = documents
    }

    public static let examples: [ApplicationSubmitted] = [
        ApplicationSubmitted(
            applicationId: "app-004217", applicantId: " CUS-118042",
            applicant: Applicant(name: "  AMARA   OKAFOR ", email: " Amara.Okafor@Example.COM ", dateOfBirth: "1988-04-12"),
            amount: 250_000, currency: "eur", termMonths: 300, purpose: .home,
            submittedAt: Date(timeIntervalSince1970: 1_795_252_530),  // 2026-11-21T09:15:30Z
            channel: .web,
            documents: [
                SubmittedDocument(kind: .id, documentId: "bb17a962-67c7-45ce-874e-ba82c5bb7290"),
                SubmittedDocument(kind: .payslip, documentId: "2d82c302-e134-4b9f-b56c-43664dee606d"),
                SubmittedDocument(kind: .bankStatement, documentId: "2bb70258-c232-4942-bee2-9f925cff6bc5"),
            ]),
        ApplicationSubmitted(
            applicationId: "APP-004218", applicantId: "cus-207315",
            applicant: Applicant(name: "jonas lindqvist", email: "JONAS.LINDQVIST@EXAMPLE.ORG", dateOfBirth: "1995-09-30"),
            amount: 18_500.50, currency: "Eur", termMonths: 60, purpose: .car,
            submittedAt: Date(timeIntervalSince1970: 1_795_365_612),  // 2026-11-22T16:40:12Z
            channel: .branch),
    ]
}
