import AgentBus
import AgentBusTesting
import Foundation
import LoanEvents
import Testing

@testable import document_extraction

@Suite("document-extraction", .timeLimit(.minutes(1)))
struct DocumentExtractionTests {
    func tester(latencyPerPage: Duration = .zero, clock: ManualClock = ManualClock()) throws -> AgentTester {
        try AgentTester(
            DocumentExtractionAgent(reader: SimulatedDocumentReader(), latencyPerPage: latencyPerPage),
            schemas: LoanCatalog.registry, clock: clock)
    }

    @Test("an application with the documents check: its documents read, in order, employment and income extracted")
    func extracts() async throws {
        let application = ApplicationReceived.examples[0]
        let result = try await tester().handle(application)
        #expect(result.outcome == .handled)
        let extraction = try #require(try result.published(DocumentsExtracted.self).first)
        #expect(result.outputs.count == 1)
        #expect(extraction.applicationId == application.applicationId)
        #expect(extraction.documents.map(\.documentId) == application.documents?.map(\.documentId))
        #expect(extraction.documents.map(\.kind) == [.id, .payslip, .bankStatement])
        #expect(extraction.documents.allSatisfy { (0.85...0.99).contains($0.confidence) && $0.pages >= 1 })
        #expect(extraction.employmentStatus == .employed)
        #expect(extraction.employer != nil)
        #expect(extraction.monthlyIncome.currency == "EUR")
        #expect(extraction.monthlyIncome.amount >= 1_800)

        // The same documents read again (another event, another tester) give the same figures.
        let again = try #require(try await tester().handle(application).published(DocumentsExtracted.self).first)
        #expect(again.documents == extraction.documents)
        #expect(again.monthlyIncome == extraction.monthlyIncome)
        #expect(again.employer == extraction.employer)
    }

    @Test("a tax return without payslips: self-employed, no employer")
    func selfEmployed() async throws {
        var application = ApplicationReceived.examples[0]
        application.documents = [SubmittedDocument(kind: .taxReturn, documentId: "0c86b7ee-ef74-4deb-be0b-2d171f60daa9")]
        let extraction = try #require(try await tester().handle(application).published(DocumentsExtracted.self).first)
        #expect(extraction.employmentStatus == .selfEmployed)
        #expect(extraction.employer == nil)
    }

    @Test("an application without the documents check publishes nothing")
    func notRequired() async throws {
        let result = try await tester().handle(ApplicationReceived.examples[1])
        #expect(result.outcome == .handled)
        #expect(result.outputs.isEmpty)
    }

    @Test("reading takes the latency per page times the pages")
    func latencyPerPage() async throws {
        let clock = ManualClock()
        let tester = try tester(latencyPerPage: .milliseconds(100), clock: clock)
        let handling = Task { try await tester.handle(ApplicationReceived.examples[0]) }
        await clock.waitForSleepers()
        let pages = try #require(
            try await self.tester().handle(ApplicationReceived.examples[0]).published(DocumentsExtracted.self).first
        ).documents.reduce(0) { $0 + $1.pages }
        clock.advance(by: .milliseconds(100) * pages - .milliseconds(1))
        #expect(clock.sleeperCount == 1, "finished before \(pages) pages' time")
        clock.advance(by: .milliseconds(1))
        let result = try await handling.value
        #expect(try result.published(DocumentsExtracted.self).count == 1)
    }
}
