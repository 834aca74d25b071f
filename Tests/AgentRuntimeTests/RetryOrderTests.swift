import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    @Suite("In-place retries")
    struct RetryOrderTests {
        @Test("a transient failure that succeeds on the third attempt is handled once, and its key's later events wait for it")
        func succeedsOnThirdAttempt() async throws {
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: ["--agent", "test-worker", "--retry-delays", "none"])
            let worker = try AgentProcess.testAgent(role: "worker", instance: "worker-1", broker: broker)
            try await worker.waitUntilAssigned()
            let watcher = try await TopicWatcher.start([TestTypes.doneTopic, AgentTopics.activity], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)

            // One workflow, one key: the flaky event first, then five that must not overtake it.
            let workflow = "workflow-in-order"
            let works = [WorkPayload(id: "flaky", seq: 0, behavior: "fail-until-attempt", untilAttempt: 3)]
                + (1...5).map { WorkPayload(id: "next-\($0)", seq: $0, behavior: "ok") }
            let events = works.map { publisher.root(TestTypes.work, $0.json, correlationID: workflow) }
            try await publisher.sendAll(events)
            await publisher.close()

            let flakyActivity: @Sendable (TopicWatcher.Contents) -> Bool = { contents in
                contents.activity.contains { $0.eventId == events[0].id }
            }
            let arrived = await watcher.waitFor { $0.count(TestTypes.doneTopic) >= works.count && flakyActivity($0) }
            #expect(arrived, "done: \(watcher.contents.count(TestTypes.doneTopic))\n\(worker.tail)")
            await watcher.stop()
            await stopAll([worker], broker)

            let doneRecords = watcher[TestTypes.doneTopic]
            let done = doneRecords.compactMap { $0.decode(DonePayload.self) }
            // Handled once: one Done, from the third attempt, and one activity record.
            #expect(done.filter { $0.id == "flaky" } == [DonePayload(id: "flaky", seq: 0, attempt: 3)])
            let activity = watcher[AgentTopics.activity].compactMap { $0.decode(ActivityRecord.self) }
                .filter { $0.eventId == events[0].id }
            #expect(activity.count == 1)
            #expect(activity.first?.outcome == .ok)
            #expect(activity.first?.attempts == 3)
            #expect(await worker.waitFor("handler failed", count: 2), "two failed attempts logged\n\(worker.tail)")
            #expect(worker.count("handler failed") == 2)

            // In order: the outputs share the workflow's key, so one partition, in seq order.
            #expect(Set(doneRecords.map(\.partition)).count == 1, "one key, one output partition")
            let inOffsetOrder = doneRecords.sorted { $0.offset < $1.offset }.compactMap { $0.decode(DonePayload.self) }
            #expect(inOffsetOrder.map(\.seq) == Array(0...5))
            #expect(inOffsetOrder.dropFirst().allSatisfy { $0.attempt == 1 })
            #expect(doneRecords.allSatisfy { $0.envelope?.correlationID == workflow })
        }
    }
}
