import LoanEvents

/// One check's result as the aggregator keeps it until the assessment is complete: whichever of
/// the three the branch reported; or, under the branch ``AggregatorAgent/applicationBranch``, the
/// application's own facts, kept in the collection so they are written with it, as one state
/// key (a crash cannot keep the one without the other).
struct CheckResult: Codable, Sendable {
    var credit: CreditResult?
    var fraud: FraudResult?
    var documents: DocumentsResult?
    var application: ApplicationFacts?
}

/// What the aggregator remembers of the application itself, to build the assessment.
struct ApplicationFacts: Codable, Sendable {
    var applicationId: String
    var applicantId: String
    var requested: Money
}
