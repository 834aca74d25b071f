@testable import AgentBus
import AgentBusTesting
import Foundation
import Kafka
import Logging
import Testing

/// Retries through one topic per delay tier: a short retry is not held back behind a long one,
/// and a retry waiting for its due time does not keep its consumer batch's memory.
@Suite("Retry topics per delay tier", .serialized, .timeLimit(.minutes(2)))
struct RetryTierTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas").path

    struct Work: TypedEvent {
        static let eventType = "test.agentbus.work.v1"
        var id: String
        var seq: Int
        /// `fail-until-attempt`: attempts before `untilAttempt` fail.
        var behavior = "fail-until-attempt"
        var untilAttempt: Int
    }

    struct Done: TypedEvent {
        static let eventType = "test.agentbus.done.v1"
        var id: String
        var seq: Int
        var attempt: Int
    }

    struct Flaky: Error {}

    /// One attempt per pass, so each failure goes to a retry topic: the first after 200 ms, the
    /// second after 5 s.
    struct TieredWorker: Agent {
        let name = "tiered-worker"
        var policies: AgentPolicies {
            AgentPolicies(retry: RetryPolicy(inPlaceAttempts: 1, retryTopicDelays: [.milliseconds(200), .seconds(5)]))
        }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { work, context in
                if context.attempt < work.untilAttempt { throw Flaky() }
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt), key: "all")
            }
        }
    }

    /// Reads `agentbus.activity` from the beginning until a record satisfies `wanted`.
    func awaitActivity(_ cluster: EmbeddedCluster, _ wanted: (ActivityRecord) -> Bool) async throws {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: [cluster.bootstrapServers], groupID: "activity-reader-\(UUID())")
        configuration.tuneForEmbeddedCluster()
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign([KafkaTopicPartition(topic: AgentTopics.activity, partition: 0): .beginning])
        for try await record in consumer.messages {
            if let activity = try? ActivityRecord(json: record.value), wanted(activity) { break }
        }
        await consumer.close()
    }

    @Test("a 200 ms retry queued after a 5 s one is handled when due, not when the 5 s one is")
    func shortRetryNotHeldBack() async throws {
        let harness = try AgentHarness(TieredWorker(), schemas: Self.fixtures)
        // A fails twice: after its second failure it waits 5 s.
        let slow = try await harness.publish(Work(id: "slow", seq: 0, untilAttempt: 3)).envelope
        try await awaitActivity(harness.cluster) { $0.eventId == slow.id && $0.outcome == .retried && $0.attempts == 2 }
        // B fails once, after A's 5 s retry was written: its 200 ms retry comes after that one.
        let quick = try await harness.publish(Work(id: "quick", seq: 1, untilAttempt: 2)).envelope
        #expect(quick.id != slow.id)

        // Done is one partition, so its order is the order of handling: B's retry, due 200 ms
        // after it failed, goes first, while A's waits out its 5 s.
        let done = try await harness.events(Done.self, count: 2)
        #expect(done.map(\.id) == ["quick", "slow"], "the short retry waited behind the long one")
        #expect(done.map(\.attempt) == [2, 3])
        try await harness.stop()
    }

    @Test("a retry waiting for its due time is queued as a copy: its batch's memory is freed; other records are not copied")
    func waitingRetryFreesItsBatch() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { cluster.stop() }
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: "tiered-worker")
        configuration.tuneForEmbeddedCluster()
        let consumer = try KafkaConsumer(configuration: configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let processor = EventProcessor(
            agent: "tiered-worker", instance: "t", policies: TieredWorker().policies, concurrency: 1, handlers: [:],
            registry: try SchemaDirectory(path: Self.fixtures, source: .flag).load(), producer: producer,
            activityProducer: producer, handlerLogger: logger, logger: logger, onProduceFailure: { _ in })
        func worker(for topic: String) -> PartitionWorker {
            let partition = KafkaTopicPartition(topic: topic, partition: 0)
            return PartitionWorker(
                partition: partition, consumer: consumer, processor: processor,
                ledger: PartitionLedger(partition: partition, offsets: consumer) { _, _ in })
        }
        func record(on topic: String, dueIn milliseconds: Int64) -> KafkaRecord {
            let due = EventTime.now().millisecondsSinceEpoch + milliseconds
            return KafkaRecord(
                topic: topic, key: Array("k".utf8), value: Array("v".utf8),
                headers: [KafkaHeader(name: RuntimeHeader.retryDue, value: String(due))])
        }

        // A retry of the 5 s tier, due in a minute: the worker takes it and waits.
        let retries = worker(for: "tiered-worker.retry.5s")
        let running = Task { await retries.run() }
        weak var retryBatch: AnyObject?
        do {
            let retry = record(on: "tiered-worker.retry.5s", dueIn: 60_000)
            retryBatch = retry.valueStorage
            retries.enqueue(retry)
        }
        let retryBatchFreed = retryBatch == nil
        #expect(retryBatchFreed, "the waiting retry still holds the storage it was read in")

        // A record of an event topic is queued as it is: no copy on the hot path.
        let events = worker(for: "test.work")
        weak var eventBatch: AnyObject?
        do {
            let event = record(on: "test.work", dueIn: 0)
            eventBatch = event.valueStorage
            events.enqueue(event)
        }
        let eventBatchKept = eventBatch != nil
        #expect(eventBatchKept, "an event record was copied")

        processor.stop()
        retries.end()
        events.end()
        running.cancel()
        await running.value
        await consumer.close()
        try await producer.close()
    }
}
