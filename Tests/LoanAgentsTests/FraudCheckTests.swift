import AgentBus
import AgentBusTesting
import Foundation
import LoanEvents
import Testing

@testable import fraud_check

@Suite("fraud-check", .timeLimit(.minutes(1)))
struct FraudCheckTests {
    func tester(_ faults: FraudCheckFaults = FraudCheckFaults(), clock: ManualClock = ManualClock()) throws -> AgentTester {
        try AgentTester(
            FraudCheckAgent(screener: RuleBasedFraudScreener(), faults: faults), schemas: LoanCatalog.registry, clock: clock)
    }

    /// The first received example, changed by `change`.
    func application(_ change: (inout ApplicationReceived) -> Void = { _ in }) -> ApplicationReceived {
        var application = ApplicationReceived.examples[0]
        change(&application)
        return application
    }

    func screening(_ application: ApplicationReceived) async throws -> FraudChecked {
        let result = try await tester().handle(application)
        #expect(result.outcome == .handled)
        return try #require(try result.published(FraudChecked.self).first)
    }

    @Test("a clean application: low risk, no signals, identity verified by the ID document")
    func clean() async throws {
        let screening = try await screening(application())
        #expect(screening.riskLevel == .low)
        #expect(screening.signals.isEmpty)
        #expect(screening.identityVerified)
        #expect(screening.applicantId == "CUS-118042")
    }

    @Test("the rules: one signal is medium risk; two, or a disposable email, high")
    func rules() async throws {
        let mismatch = try await screening(application { $0.applicant.email = "jd1984@example.com" })
        #expect(mismatch.signals == ["email-name-mismatch"])
        #expect(mismatch.riskLevel == .medium)

        let disposable = try await screening(application { $0.applicant.email = "amara@mailinator.com" })
        #expect(disposable.signals == ["disposable-email"])
        #expect(disposable.riskLevel == .high)

        let youngNoID = try await screening(application {
            $0.applicant.dateOfBirth = "2004-01-01"
            $0.documents = [SubmittedDocument(kind: .payslip, documentId: "2d82c302-e134-4b9f-b56c-43664dee606d")]
        })
        #expect(youngNoID.signals == ["young-applicant-large-loan", "unverified-identity-large-loan"])
        #expect(youngNoID.riskLevel == .high)
        #expect(!youngNoID.identityVerified)
    }

    @Test("an application without the fraud check publishes nothing")
    func notRequired() async throws {
        let result = try await tester().handle(ApplicationReceived.examples[1])
        #expect(result.outcome == .handled)
        #expect(result.outputs.isEmpty)
    }

    @Test("a slow applicant's screening takes the slow latency; the others' do not wait, and the deadline outlasts it")
    func slowApplicant() async throws {
        let clock = ManualClock()
        let faults = FraudCheckFaults(slowApplicants: ["CUS-118042"], slowLatency: .seconds(45))
        let agent = FraudCheckAgent(screener: RuleBasedFraudScreener(), faults: faults)
        #expect(agent.policies.handlerDeadline > .seconds(45))
        let tester = try tester(faults, clock: clock)

        let other = try await tester.handle(application { $0.applicantId = "CUS-207315" })
        #expect(try other.published(FraudChecked.self).count == 1, "the other applicant waited")

        let slow = Task { try await tester.handle(application()) }
        await clock.waitForSleepers()
        clock.advance(by: .seconds(45) - .milliseconds(1))
        #expect(clock.sleeperCount == 1, "finished before the slow latency")
        clock.advance(by: .milliseconds(1))
        let result = try await slow.value
        #expect(result.outcome == .handled)
        #expect(result.attempts == 1)
        #expect(try result.published(FraudChecked.self).count == 1)
    }

    @Test("a chosen event fails its first attempts, then succeeds: retried in place, or through the retry topic")
    func transientFailures() async throws {
        let inPlace = try await tester(FraudCheckFaults(transientFailureRate: 1, transientFailures: 2)).handle(application())
        #expect(inPlace.outcome == .handled)
        #expect(inPlace.attempts == 3)
        #expect(inPlace.waits.count == 2 && inPlace.waits.allSatisfy { if case .backoff = $0 { true } else { false } })
        #expect(try inPlace.published(FraudChecked.self).count == 1)

        let retryTopic = try await tester(FraudCheckFaults(transientFailureRate: 1, transientFailures: 3)).handle(application())
        #expect(retryTopic.outcome == .handled)
        #expect(retryTopic.attempts == 4)
        #expect(retryTopic.waits.last == .retryTopic(.seconds(10)))

        let never = try await tester(FraudCheckFaults(transientFailureRate: 0)).handle(application())
        #expect(never.attempts == 1)
    }

    @Test("the failing events are chosen by event ID: the same ones every time, about the rate's share")
    func chosenByEventID() throws {
        let faults = FraudCheckFaults(transientFailureRate: 0.25)
        let ids = (0..<2_000).map { EventID.derived(from: "root-\($0)", agent: "intake", type: "t", index: 0).description }
        let chosen = ids.filter(faults.chosen)
        #expect((400...600).contains(chosen.count), "\(chosen.count) of 2000")
        #expect(ids.filter(faults.chosen) == chosen)
        let id = try #require(chosen.first)
        #expect(faults.fails(eventID: id, attempt: 1) && faults.fails(eventID: id, attempt: 2))
        #expect(!faults.fails(eventID: id, attempt: 3))
    }
}
