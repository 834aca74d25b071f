import LoanEvents

/// Scores the default risk of an assessed application.
///
/// The seam where a trained model (or a model service) plugs in: ``AssessmentRiskModel`` is the
/// toy the example runs with.
protocol RiskModel: Sendable {
    /// The model's name and version, written to each score (`risk-v4`).
    var name: String { get }
    /// The score of `assessment`. Throws when it cannot be scored now (retried), or a
    /// `NonRetryableError` when it can never be.
    func score(_ assessment: AssessmentCompleted) async throws -> RiskScored
}
