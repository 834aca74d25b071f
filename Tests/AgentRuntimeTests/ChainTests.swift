import AgentBus
import Foundation
import Kafka
import LoanEvents
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// credit-check → risk-scorer, the example system's first two hops, as two processes.
    @Suite("A two-agent chain")
    struct ChainTests {
        static let inputs = 1_000

        static func application(_ index: Int) -> ApplicationReceived {
            var application = ApplicationReceived.examples[index % 2]
            application.applicationId = String(format: "APP-%06d", index)
            application.applicantId = String(format: "CUS-%06d", 500_000 + index)
            return application
        }

        @Test("1,000 applications: one credit.checked per application, one risk.scored per check, causation and correlation right")
        func chain() async throws {
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.loanSchemas, arguments: ["--agent", "credit-check", "--agent", "risk-scorer"])
            let credit = try AgentProcess("credit-check", instance: "credit-1", broker: broker, schemas: Paths.loanSchemas)
            let risk = try AgentProcess("risk-scorer", instance: "risk-1", broker: broker, schemas: Paths.loanSchemas)
            try await credit.waitUntilAssigned()
            try await risk.waitUntilAssigned()
            let watcher = try await TopicWatcher.start(["loan.checks", "loan.risk"], broker: broker)

            let publisher = try TestPublisher(broker: broker, schemas: Paths.loanSchemas)
            let roots = try (0..<Self.inputs).map { index in
                publisher.root(ApplicationReceived.eventType, try Self.application(index).jsonPayload())
            }
            try await publisher.sendAll(roots)
            await publisher.close()

            let finished = await watcher.waitFor(timeout: .seconds(90)) { contents in
                contents.count("loan.risk") >= Self.inputs
            }
            #expect(finished, "risk.scored: \(watcher.contents.count("loan.risk")) of \(Self.inputs)\n\(credit.tail)\n\(risk.tail)")
            await watcher.stop()
            await stopAll([credit, risk], broker)

            let rootsByID = Dictionary(uniqueKeysWithValues: roots.map { ($0.id, $0) })
            let checks = watcher["loan.checks"].compactMap(\.envelope)
            let scores = watcher["loan.risk"].compactMap(\.envelope)
            #expect(watcher["loan.checks"].count == Self.inputs, "every record on loan.checks is a credit.checked of an input")
            #expect(checks.count == Self.inputs)
            #expect(scores.count == Self.inputs)

            // Hop 1: exactly one credit.checked per application.
            var checksByID: [String: EventEnvelope] = [:]
            var checkedInputs: [String: Int] = [:]
            for check in checks {
                checksByID[check.id] = check
                #expect(check.type == CreditChecked.eventType)
                #expect(check.source == "/agents/credit-check")
                let parent = check.causationID.flatMap { rootsByID[$0] }
                #expect(parent != nil, "credit.checked \(check.id) is caused by \(check.causationID ?? "nothing"), not an input")
                guard let parent else { continue }
                checkedInputs[parent.id, default: 0] += 1
                #expect(check.correlationID == parent.correlationID)
                #expect(check.hops == 1)
                #expect(check.id == EventID.derived(from: parent.id, agent: "credit-check", type: CreditChecked.eventType, index: 0).description)
                #expect(check.traceParent.map { traceID($0.description) } == parent.traceParent.map { traceID($0.description) })
                let payload = try check.decode(as: CreditChecked.self)
                #expect(payload.applicationId == (try parent.decode(as: ApplicationReceived.self)).applicationId)
            }
            #expect(Set(checkedInputs.keys) == Set(rootsByID.keys), "every application was checked")
            #expect(checkedInputs.values.allSatisfy { $0 == 1 }, "no application was checked twice")

            // Hop 2: exactly one risk.scored per credit.checked, still in the root's workflow.
            var scoredChecks: [String: Int] = [:]
            for score in scores {
                #expect(score.type == RiskScored.eventType)
                #expect(score.source == "/agents/risk-scorer")
                let parent = score.causationID.flatMap { checksByID[$0] }
                #expect(parent != nil, "risk.scored \(score.id) is caused by \(score.causationID ?? "nothing"), not a check")
                guard let parent else { continue }
                scoredChecks[parent.id, default: 0] += 1
                let root = parent.causationID.flatMap { rootsByID[$0] }
                #expect(score.correlationID == root?.correlationID)
                #expect(score.correlationID == parent.correlationID)
                #expect(score.hops == 2)
                #expect(score.id == EventID.derived(from: parent.id, agent: "risk-scorer", type: RiskScored.eventType, index: 0).description)
                #expect(score.traceParent.map { traceID($0.description) } == root?.traceParent.map { traceID($0.description) })
                #expect((try score.decode(as: RiskScored.self)).applicationId
                    == (try parent.decode(as: CreditChecked.self)).applicationId)
            }
            #expect(Set(scoredChecks.keys) == Set(checksByID.keys), "every check was scored")
            #expect(scoredChecks.values.allSatisfy { $0 == 1 }, "no check was scored twice")
            #expect(credit.count("event dead-lettered") == 0 && risk.count("event dead-lettered") == 0)
        }
    }
}
