import LoanEvents

/// Screens an application for fraud and identity signals.
///
/// The seam where a fraud vendor's API or a model plugs in: ``RuleBasedFraudScreener`` is the
/// deterministic stand-in the example runs with.
protocol FraudScreener: Sendable {
    /// The screening of `application`. Throws when it cannot be done now (retried), or a
    /// `NonRetryableError` when it can never be.
    func screen(_ application: ApplicationReceived) async throws -> FraudChecked
}
