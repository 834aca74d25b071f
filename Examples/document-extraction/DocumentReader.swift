import LoanEvents

/// Reads an application's uploaded documents and extracts the figures the checks need.
///
/// The seam where an OCR service or a vision model plugs in: ``SimulatedDocumentReader`` is the
/// deterministic stand-in the example runs with.
protocol DocumentReader: Sendable {
    /// What `documents`, uploaded with `application`, say. Throws when they cannot be read now
    /// (retried), or a `NonRetryableError` when they can never be.
    func read(_ documents: [SubmittedDocument], of application: ApplicationReceived) async throws -> DocumentsExtracted
}
