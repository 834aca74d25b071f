import AgentBus
import AgentBusTesting
import Foundation
import LoanEvents
import Testing

@testable import aggregator
@testable import credit_check
@testable import decision
@testable import document_extraction
@testable import fraud_check
@testable import intake
@testable import notifier
@testable import risk_scorer

/// The whole example system in process: every agent on its own tester, each output handed to the
/// agents that handle its type, as the bus would. Timers fire only when a test fires them.
@Suite("loan workflow, every agent")
struct LoanWorkflowTests {
    /// Routes events between the agents' testers and keeps everything published.
    final class System {
        let testers: [AgentTester]
        var published: [EventEnvelope] = []
        var timers: [HandlingResult.TimerChange] = []

        init() throws {
            let registry = LoanCatalog.registry
            testers = [
                try AgentTester(IntakeAgent(normalizer: ApplicationNormalizer()), schemas: registry),
                try AgentTester(DocumentExtractionAgent(reader: SimulatedDocumentReader()), schemas: registry),
                try AgentTester(CreditCheckAgent(bureau: CreditBureau()), schemas: registry),
                try AgentTester(FraudCheckAgent(screener: RuleBasedFraudScreener(), faults: FraudCheckFaults()), schemas: registry),
                try AgentTester(AggregatorAgent(deadline: .seconds(3), onDeadline: .completePartial), schemas: registry),
                try AgentTester(RiskScorerAgent(model: AssessmentRiskModel()), schemas: registry),
                try AgentTester(DecisionAgent(policy: LendingPolicy()), schemas: registry),
                try AgentTester(NotifierAgent(composer: NotificationComposer()), schemas: registry),
            ]
        }

        /// Delivers `event` to every agent that handles its type, then their outputs, and so on.
        /// `drop` keeps events of the types it names from being delivered (a check that never
        /// arrives).
        func deliver(_ event: EventEnvelope, dropping drop: Set<String> = []) async throws {
            var queue = [event]
            while !queue.isEmpty {
                let next = queue.removeFirst()
                guard !drop.contains(next.type) else { continue }
                for tester in testers {
                    let result = await tester.handle(next)
                    guard result.outcome != .notHandled else { continue }
                    #expect(result.outcome == .handled, "\(next.type) by \(tester.agentName): \(result.outcome) \(result.deadLetter?.reason ?? "")")
                    published += result.outputs.map(\.envelope)
                    timers += result.timers
                    queue += result.outputs.map(\.envelope)
                }
            }
        }

        func submit(_ applicant: String, amount: Int, dropping drop: Set<String> = []) async throws -> String {
            var submitted = ApplicationSubmitted.examples[0]
            submitted.applicantId = " \(applicant)"
            submitted.applicationId = "app-\(applicant.dropFirst(4))"
            submitted.amount = Double(amount)
            let (envelope, _) = try EventPublisher.prepare(
                type: ApplicationSubmitted.eventType, payload: submitted.jsonPayload(), key: nil, correlationID: nil,
                registry: LoanCatalog.registry, source: "/test")
            try await deliver(envelope, dropping: drop)
            return envelope.correlationID
        }

        func events<Event: TypedEvent>(_ type: Event.Type, in workflow: String) throws -> [Event] {
            try published.filter { $0.type == Event.eventType && $0.correlationID == workflow }.map { try $0.decode(as: type) }
        }
    }

    @Test("an application runs from intake to the applicant's notification through every check")
    func endToEnd() async throws {
        let system = try System()
        let workflow = try await system.submit("CUS-100008", amount: 12_000)
        let assessment = try #require(try system.events(AssessmentCompleted.self, in: workflow).first)
        #expect(!assessment.partial)
        #expect(assessment.credit != nil && assessment.fraud != nil && assessment.documents != nil)
        #expect(try system.events(RiskScored.self, in: workflow).count == 1)
        #expect(try system.events(NotificationSent.self, in: workflow).count == 1)
    }

    @Test("a fraud check that never comes: at the deadline the assessment is partial, and the workflow still ends")
    func partialAtDeadline() async throws {
        let system = try System()
        let workflow = try await system.submit("CUS-700001", amount: 15_000, dropping: [FraudChecked.eventType])
        #expect(try system.events(AssessmentCompleted.self, in: workflow).isEmpty)
        let due = try #require(system.timers.first { $0.event?.type == AssessmentDue.eventType }?.event)
        try await system.deliver(due)
        let assessment = try #require(try system.events(AssessmentCompleted.self, in: workflow).first)
        #expect(assessment.partial)
        #expect(assessment.missing == [.fraud])
        #expect(try system.events(NotificationSent.self, in: workflow).count == 1)
    }

    @Test("a deadline or cleanup timer of a workflow the aggregator no longer knows says nothing")
    func unknownWorkflowTimer() async throws {
        let system = try System()
        let (due, _) = try EventPublisher.prepare(
            type: AssessmentDue.eventType,
            payload: AssessmentDue(applicationId: "APP-000001", applicantId: nil, dueAt: Date()).jsonPayload(), key: nil,
            correlationID: "wf-forgotten", registry: LoanCatalog.registry, source: "/test")
        try await system.deliver(due)
        #expect(system.published.isEmpty, "\(system.published.map(\.type))")
    }

    @Test("the aggregator keeps an application's facts in its collection: one state key, so a crash keeps both or neither")
    func factsInCollection() async throws {
        let aggregator = AggregatorAgent(deadline: .seconds(3), onDeadline: .completePartial)
        let tester = try AgentTester(aggregator, schemas: LoanCatalog.registry)
        let application = ApplicationReceived.examples[0]
        let result = try await tester.handle(application, correlationID: "wf-facts")
        #expect(result.outcome == .handled)
        let collection = try tester.state(FanInState<CheckResult>.self, for: aggregator.fanIn.stateKey(for: "wf-facts"))
        #expect(collection?.expected == application.requiredChecks.map(\.rawValue).sorted())
        #expect(collection?.results[AggregatorAgent.applicationBranch]?.application?.applicationId == application.applicationId)
        // A second key written beside it could outlive it, or die without it, in a crash.
        #expect(try tester.state(ApplicationFacts.self, for: "application/wf-facts") == nil)
    }
}
