import LoanEvents

/// One check's result as the aggregator keeps it until the assessment is complete: whichever of
/// the three the branch reported.
struct CheckResult: Codable, Sendable {
    var credit: CreditResult?
    var fraud: FraudResult?
    var documents: DocumentsResult?
}

/// What the aggregator remembers of the application itself, to build the assessment.
struct ApplicationFacts: Codable, Sendable {
    var applicationId: String
    var applicantId: String
    var requested: Money
}
