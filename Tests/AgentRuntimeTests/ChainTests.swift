import AgentBus
import Foundation
import Kafka
import LoanEvents
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// intake → credit-check, the example system's first two hops, as two processes.
    @Suite("A two-agent chain")
    struct ChainTests {
        static let inputs = 1_000

        static func application(_ index: Int) -> ApplicationSubmitted {
            var application = ApplicationSubmitted.examples[index % 2]
            application.applicationId = String(format: "app-%06d", index)
            application.applicantId = String(format: "CUS-%06d", 500_000 + index)
            return application
        }

        @Test("1,000 applications: one application.received per submission, one credit.checked per application, causation and correlation right")
        func chain() async throws {
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.loanSchemas, arguments: ["--agent", "intake", "--agent", "credit-check"])
            let intake = try AgentProcess("intake", instance: "intake-1", broker: broker, schemas: Paths.loanSchemas)
            let credit = try AgentProcess("credit-check", instance: "credit-1", broker: broker, schemas: Paths.loanSchemas)
            try await intake.waitUntilAssigned()
            try await credit.waitUntilAssigned()
            let watcher = try await TopicWatcher.start(["loan.applications", "loan.checks"], broker: broker)

            let publisher = try TestPublisher(broker: broker, schemas: Paths.loanSchemas)
            let roots = try (0..<Self.inputs).map { index in
                publisher.root(ApplicationSubmitted.eventType, try Self.application(index).jsonPayload())
            }
            try await publisher.sendAll(roots)
            await publisher.close()

            let finished = await watcher.waitFor(timeout: .seconds(90)) { contents in
                contents.count("loan.checks") >= Self.inputs
            }
            #expect(finished, "credit.checked: \(watcher.contents.count("loan.checks")) of \(Self.inputs)\n\(intake.tail)\n\(credit.tail)")
            await watcher.stop()
            await stopAll([intake, credit], broker)

            let rootsByID = Dictionary(uniqueKeysWithValues: roots.map { ($0.id, $0) })
            let applications = watcher["loan.applications"].compactMap(\.envelope)
            let checks = watcher["loan.checks"].compactMap(\.envelope)
            #expect(watcher["loan.applications"].count == Self.inputs, "every record on loan.applications is an intake of an input")
            #expect(applications.count == Self.inputs)
            #expect(checks.count == Self.inputs)

            // Hop 1: exactly one application.received per submission, normalized.
            var applicationsByID: [String: EventEnvelope] = [:]
            var receivedInputs: [String: Int] = [:]
            for application in applications {
                applicationsByID[application.id] = application
                #expect(application.type == ApplicationReceived.eventType)
                #expect(application.source == "/agents/intake")
                let parent = application.causationID.flatMap { rootsByID[$0] }
                #expect(parent != nil, "application.received \(application.id) is caused by \(application.causationID ?? "nothing"), not an input")
                guard let parent else { continue }
                receivedInputs[parent.id, default: 0] += 1
                #expect(application.correlationID == parent.correlationID)
                #expect(application.hops == 1)
                #expect(application.id == EventID.derived(from: parent.id, agent: "intake", type: ApplicationReceived.eventType, index: 0).description)
                #expect(application.traceParent.map { traceID($0.description) } == parent.traceParent.map { traceID($0.description) })
                let payload = try application.decode(as: ApplicationReceived.self)
                #expect(payload.applicationId == (try parent.decode(as: ApplicationSubmitted.self)).applicationId.uppercased())
                #expect(payload.requiredChecks.contains(.credit))
            }
            #expect(Set(receivedInputs.keys) == Set(rootsByID.keys), "every submission was taken in")
            #expect(receivedInputs.values.allSatisfy { $0 == 1 }, "no submission was taken in twice")

            // Hop 2: exactly one credit.checked per application, still in the root's workflow.
            var checkedApplications: [String: Int] = [:]
            for check in checks {
                #expect(check.type == CreditChecked.eventType)
                #expect(check.source == "/agents/credit-check")
                let parent = check.causationID.flatMap { applicationsByID[$0] }
                #expect(parent != nil, "credit.checked \(check.id) is caused by \(check.causationID ?? "nothing"), not an application")
                guard let parent else { continue }
                checkedApplications[parent.id, default: 0] += 1
                let root = parent.causationID.flatMap { rootsByID[$0] }
                #expect(check.correlationID == root?.correlationID)
                #expect(check.correlationID == parent.correlationID)
                #expect(check.hops == 2)
                #expect(check.id == EventID.derived(from: parent.id, agent: "credit-check", type: CreditChecked.eventType, index: 0).description)
                #expect(check.traceParent.map { traceID($0.description) } == root?.traceParent.map { traceID($0.description) })
                #expect((try check.decode(as: CreditChecked.self)).applicationId
                    == (try parent.decode(as: ApplicationReceived.self)).applicationId)
            }
            #expect(Set(checkedApplications.keys) == Set(applicationsByID.keys), "every application was checked")
            #expect(checkedApplications.values.allSatisfy { $0 == 1 }, "no application was checked twice")
            #expect(intake.count("event dead-lettered") == 0 && credit.count("event dead-lettered") == 0)
        }
    }
}
