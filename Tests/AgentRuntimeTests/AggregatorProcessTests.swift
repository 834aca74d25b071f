import AgentBus
import Foundation
import Kafka
import LoanEvents
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// The example's fan-in aggregator as a process: killed mid-collection, its pending state
    /// comes back from the changelog and the assessment completes with every check exactly once.
    @Suite("Fan-in across a crash")
    struct AggregatorProcessTests {
        @Test("the aggregator killed mid-collection completes after a restart with every check once, the first of a duplicate kept")
        func killedMidCollection() async throws {
            let broker = try await DevBrokerProcess.start(schemas: Paths.loanSchemas, arguments: ["--agent", "aggregator"])
            // A deadline far away: only the checks can complete the assessment here.
            let arguments = ["--deadline-ms", "120000"]
            let first = try AgentProcess(
                "aggregator", instance: "aggregator-1", broker: broker, schemas: Paths.loanSchemas, arguments: arguments)
            try await first.waitUntilAssigned()
            let state = AgentTopics.state(of: "aggregator")
            let watcher = try await TopicWatcher.start(["loan.assessments", state], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.loanSchemas)

            let application = ApplicationReceived.examples[0]
            #expect(Set(application.requiredChecks) == [.credit, .fraud, .documents])
            let received = publisher.root(ApplicationReceived.eventType, try application.jsonPayload())
            let workflow = received.correlationID
            var credit = CreditChecked.examples[0]
            credit.score = 712
            _ = try await publisher.send(received)
            _ = try await publisher.send(publisher.root(CreditChecked.eventType, try credit.jsonPayload(), correlationID: workflow))

            // The credit check is recorded in the collection's state: then the instance dies.
            let key = "fan-in/assessment/\(workflow)"
            let recorded = await watcher.waitFor { contents in
                contents[state].contains { $0.key?.validUTF8String == key && $0.value.string.contains("\"credit\"") }
            }
            try #require(recorded, "the credit check never reached the state\n\(first.tail)")
            await first.kill()
            #expect(watcher.contents.count("loan.assessments") == 0)

            let second = try AgentProcess(
                "aggregator", instance: "aggregator-2", broker: broker, schemas: Paths.loanSchemas, arguments: arguments)
            try await second.waitUntilAssigned()
            // The other two checks, and the credit check again with another score: a duplicate branch.
            credit.score = 455
            for (type, payload) in [
                (FraudChecked.eventType, try FraudChecked.examples[0].jsonPayload()),
                (CreditChecked.eventType, try credit.jsonPayload()),
                (DocumentsExtracted.eventType, try DocumentsExtracted.examples[0].jsonPayload()),
            ] {
                _ = try await publisher.send(publisher.root(type, payload, correlationID: workflow))
            }
            await publisher.close()
            let completed = await watcher.waitFor(timeout: .seconds(60)) { $0.count("loan.assessments") >= 1 }
            try #require(completed, "no assessment after the restart\n\(second.tail)")
            let more = await watcher.waitFor(timeout: .seconds(2)) { $0.count("loan.assessments") > 1 }
            #expect(!more, "more than one assessment")
            #expect(await second.stop() == 0, "\(second.tail)")
            await watcher.stop()

            let assessments = watcher["loan.assessments"].compactMap(\.envelope)
            #expect(assessments.count == 1)
            let assessment = try #require(assessments.first).decode(as: AssessmentCompleted.self)
            #expect(!assessment.partial)
            #expect(assessment.credit?.score == 712, "the first credit check counts, not its duplicate")
            #expect(assessment.fraud != nil)
            #expect(assessment.documents != nil)
            #expect(assessments.first?.correlationID == workflow)
        }
    }
}
