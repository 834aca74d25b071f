import AgentBus
import AgentBusTesting
import LoanEvents
import Testing

@testable import credit_check

@Suite("credit-check")
struct CreditCheckTests {
    func tester() throws -> AgentTester {
        try AgentTester(CreditCheckAgent(bureau: CreditBureau()), schemas: LoanCatalog.registry)
    }

    @Test("an application with the credit check gets one report, the same every time")
    func checks() async throws {
        let first = try await tester().handle(ApplicationReceived.examples[1]).published(CreditChecked.self)
        let second = try await tester().handle(ApplicationReceived.examples[1]).published(CreditChecked.self)
        #expect(first.count == 1)
        #expect(first.first?.applicantId == "CUS-207315")
        #expect(first.first?.score == second.first?.score)
        #expect(first.first.map { (300...850).contains($0.score) } == true)
    }

    @Test("an application without the credit check publishes nothing")
    func notRequired() async throws {
        var application = ApplicationReceived.examples[0]
        application.requiredChecks = [.documents, .fraud]
        let result = try await tester().handle(application)
        #expect(result.outcome == .handled)
        #expect(result.outputs.isEmpty)
    }
}
