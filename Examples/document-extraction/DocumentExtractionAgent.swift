import AgentBus
import Foundation
import LoanEvents

/// Reads the documents uploaded with an application whose ``ApplicationReceived/requiredChecks``
/// list ``AssessmentCheck/documents`` and publishes a ``DocumentsExtracted``; other applications
/// are left alone (they publish nothing, and the assessment expects nothing from this agent).
struct DocumentExtractionAgent: Agent {
    let name = "document-extraction"
    let version = "1.0.0"
    let produces = [DocumentsExtracted.eventType]
    let capabilities = ["document-ocr"]
    let reader: any DocumentReader
    /// Simulated reading time per page, as an OCR service's would grow with the pages.
    var latencyPerPage: Duration = .zero

    var handlers: [EventHandler] {
        EventHandler(ApplicationReceived.self) { [reader, latencyPerPage] application, context in
            guard application.requiredChecks.contains(.documents) else { return }
            // The schema requires documents whenever the check is listed; an event written
            // without the schema could still lack them, and no retry would add them.
            guard let documents = application.documents, !documents.isEmpty else {
                throw PermanentFailure("application \(application.applicationId) requires the documents check but has no documents")
            }
            let extraction = try await reader.read(documents, of: application)
            let pages = extraction.documents.reduce(0) { $0 + $1.pages }
            if latencyPerPage > .zero { try await context.clock.sleep(for: latencyPerPage * pages) }
            try context.publish(extraction)
        }
    }
}
