/// A check an application goes through before its risk is scored (`defs/loan.json#/$defs/check`).
///
/// The intake agent lists the ones an application needs in ``ApplicationReceived/requiredChecks``;
/// each check agent publishes one result per application that lists its check, and the assessment
/// (``AssessmentCompleted``) collects one result per listed check.
public enum AssessmentCheck: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    /// The uploaded documents are read (``DocumentsExtracted``).
    case documents
    /// The credit report is pulled (``CreditChecked``).
    case credit
    /// The application is screened for fraud (``FraudChecked``).
    case fraud
}
