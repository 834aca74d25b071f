import AgentBus
import Foundation

/// The results of an application's checks, collected into one event: one result per check in
/// the application's ``ApplicationReceived/requiredChecks``, or, when the collection deadline
/// passed first, the results that came in, ``partial``, with the ``missing`` checks named.
/// Published by the assessment's collector (a fan-in of ``DocumentsExtracted``, ``CreditChecked``
/// and ``FraudChecked``); the risk scorer scores it.
///
/// Topic `loan.assessments`, keyed by correlation ID.
public struct AssessmentCompleted: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.assessment.completed.v1"

    public var applicationId: String
    public var applicantId: String
    /// The amount the applicant asks for.
    public var requested: Money
    /// Nil when the credit check was not required or did not come in.
    public var credit: CreditResult?
    /// Nil when the fraud check was not required or did not come in.
    public var fraud: FraudResult?
    /// Nil when the document extraction was not required or did not come in.
    public var documents: DocumentsResult?
    /// Whether a required check's result is missing: the collection deadline passed before it
    /// came in. The schema holds it to ``missing``: true exactly when that is not empty.
    public var partial: Bool
    /// The required checks whose results did not come in.
    public var missing: [AssessmentCheck]
    public var completedAt: Date

    public init(
        applicationId: String, applicantId: String, requested: Money, credit: CreditResult? = nil,
        fraud: FraudResult? = nil, documents: DocumentsResult? = nil, missing: [AssessmentCheck] = [],
        completedAt: Date
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.requested = requested
        self.credit = credit
        self.fraud = fraud
        self.documents = documents
        self.partial = !missing.isEmpty
        self.missing = missing
        self.completedAt = completedAt
    }

    public static let examples: [AssessmentCompleted] = [
        AssessmentCompleted(
            applicationId: "APP-004217", applicantId: "CUS-118042", requested: .eur(250_000),
            credit: CreditResult(CreditChecked.examples[0]), fraud: FraudResult(FraudChecked.examples[0]),
            documents: DocumentsResult(DocumentsExtracted.examples[0]),
            completedAt: Date(timeIntervalSince1970: 1_795_252_602)),  // 2026-11-21T09:16:42Z
        AssessmentCompleted(
            applicationId: "APP-004225", applicantId: "CUS-310877", requested: .eur(1_200_000),
            credit: CreditResult(
                bureau: .transunion, score: 701, openAccounts: 9, delinquencies: 1, outstandingDebt: .eur(284_000)),
            documents: DocumentsResult(employmentStatus: .selfEmployed, monthlyIncome: .eur(41_500), documentCount: 5),
            missing: [.fraud],
            completedAt: Date(timeIntervalSince1970: 1_795_514_670)),  // 2026-11-24T10:04:30Z
    ]
}
