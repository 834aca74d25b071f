@testable import AgentBus
import AgentBusTesting
import Foundation
import Kafka
import Logging
import Metrics
import MetricsTestKit
import Testing

/// The runtime driven through its API, in this process, against an embedded cluster in this
/// process: what it counts and what it commits. (The process-level guarantees, crashes and
/// signals are in AgentRuntimeTests.)
@Suite("AgentRuntime in process", .serialized, .timeLimit(.minutes(2)))
struct AgentRuntimeInProcessTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas").path
    /// swift-metrics can be bootstrapped once per process.
    static let metrics: TestMetrics = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()

    struct Work: TypedEvent {
        static let eventType = "test.agentbus.work.v1"
        var id: String
        var seq: Int
        var behavior: String
    }

    struct Done: TypedEvent {
        static let eventType = "test.agentbus.done.v1"
        var id: String
        var seq: Int
        var attempt: Int
    }

    struct Worker: Agent {
        let name = "inprocess-worker"
        var policies: AgentPolicies { AgentPolicies(retry: .none) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { work, context in
                if work.behavior == "permanent" { throw PermanentFailure("refused \(work.id)") }
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        }
    }

    /// Keeps a note per input in its state, and publishes that it did.
    struct Noter: Agent {
        let name = "inprocess-noter"
        let usesState = true
        var policies: AgentPolicies { AgentPolicies(retry: .none) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { work, context in
                try context.setState(work.seq, for: "note/\(work.id)")
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        }
    }

    /// Reads `topic` from the beginning until `count` records arrived.
    func read(_ topic: String, partitions: Int32, count: Int, from cluster: EmbeddedCluster) async throws -> [KafkaRecord] {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: [cluster.bootstrapServers], groupID: "reader-\(UUID())")
        configuration.tuneForEmbeddedCluster()
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map {
            (KafkaTopicPartition(topic: topic, partition: $0), KafkaStartOffset.beginning)
        }))
        var records: [KafkaRecord] = []
        for try await record in consumer.messages {
            records.append(record)
            if records.count == count { break }
        }
        await consumer.close()
        return records
    }

    @Test("handles, dead-letters, counts in metrics, and commits exactly what it finished")
    func handleCountCommit() async throws {
        let metrics = Self.metrics
        let harness = try AgentHarness(Worker(), schemas: Self.fixtures, partitions: 2, instanceID: "in-process")
        var inputs: [EventEnvelope] = []
        for (seq, behavior) in ["ok", "permanent", "ok"].enumerated() {
            // One key, so one partition, so the order is known.
            inputs.append(try await harness.publish(Work(id: "w\(seq)", seq: seq, behavior: behavior), key: "one-key").envelope)
        }

        // Outputs are keyed by their workflow (each input is a root), so they may be on either partition.
        let outputs = try await harness.envelopes(of: Done.eventType, count: 2)
            .sorted { try! $0.decode(as: Done.self).seq < $1.decode(as: Done.self).seq }
        #expect(outputs.map(\.causationID) == [inputs[0].id, inputs[2].id])
        #expect(try outputs.map { try $0.decode(as: Done.self).seq } == [0, 2])
        let deadLetters = try await harness.deadLetters(count: 1)
        #expect(deadLetters.first?.failureClass == .permanent)
        #expect(deadLetters.first?.reason == "refused w1")
        try await harness.stop()

        // Metrics: two handled, one dead-lettered as permanent, three attempts timed.
        let agent = [("agent", "inprocess-worker")]
        #expect(try metrics.expectCounter("agentbus_events_handled_total", agent).totalValue == 2)
        #expect(try metrics.expectCounter(
            "agentbus_events_dead_lettered_total", agent + [("failure_class", "permanent")]).totalValue == 1)
        #expect(try metrics.expectTimer("agentbus_handler_duration_seconds", agent).values.count == 3)

        // The group committed the end of the input partition: all three finished, none to redo.
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [harness.cluster.bootstrapServers]))
        let partition = try #require(deadLetters.first?.originalPartition)
        let committed = try await admin.committedOffsets(
            group: "inprocess-worker", partitions: [KafkaTopicPartition(topic: "test.work", partition: partition)])
        #expect(committed.first?.offset == 3)
    }

    struct KeyedWorker: Agent {
        let name = "keyed-worker"
        var policies: AgentPolicies { AgentPolicies(ordering: .key(maxInFlight: 4), retry: .none) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { work, context in
                if work.behavior == "sleep" { try await Task.sleep(for: .milliseconds(400)) }
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt), key: "all")
            }
        }
    }

    @Test("per-key ordering: other keys overtake a slow one; each key stays in order; commit waits for the slow one")
    func perKeyOrdering() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { cluster.stop() }
        for topic in ["test.work", "test.done"] { try cluster.createTopic(topic, partitions: 1) }
        for topic in ["keyed-worker.retry.0s", "keyed-worker.dlt"] + AgentTopics.runtime { try cluster.createTopic(topic, partitions: 1) }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let runtime = try AgentRuntime(
            agent: KeyedWorker(),
            configuration: AgentRuntimeConfiguration(
                brokers: BrokerEndpoint(bootstrapServers: [cluster.bootstrapServers], source: .devBroker(path: "")),
                instanceID: "keyed", schemas: SchemaDirectory(path: Self.fixtures, source: .flag)),
            logger: logger)
        let running = Task { try await runtime.run() }

        // One partition: a1 (sleeps), a2, then b1..b3, all in one batch.
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let plan: [(id: String, key: String, behavior: String)] = [
            ("a1", "A", "sleep"), ("a2", "A", "ok"), ("b1", "B", "ok"), ("b2", "B", "ok"), ("b3", "B", "ok"),
        ]
        for (seq, item) in plan.enumerated() {
            let envelope = EventEnvelope.root(
                type: Work.eventType, source: "/test",
                data: try Work(id: item.id, seq: seq, behavior: item.behavior).jsonPayload())
            try await producer.produce(topic: "test.work", key: item.key, value: envelope.data, headers: envelope.kafkaHeaders)
        }
        try await producer.flush()
        try await producer.close()

        let done = try await read("test.done", partitions: 1, count: 5, from: cluster)
            .map { try EventEnvelope(record: $0).decode(as: Done.self).id }
        #expect(Array(done.prefix(3)) == ["b1", "b2", "b3"], "B's events did not overtake the slow A: \(done)")
        #expect(done.firstIndex(of: "a1")! < done.firstIndex(of: "a2")!, "A's events out of order: \(done)")

        runtime.requestStop()
        try await running.value
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let committed = try await admin.committedOffsets(
            group: "keyed-worker", partitions: [KafkaTopicPartition(topic: "test.work", partition: 0)])
        #expect(committed.first?.offset == 5)
    }

    /// What a fault-injection run lost: under injected produce errors, an input's output and
    /// activity record were reported delivered, its offset was stored, and neither was in the log
    /// (the embedded cluster checks no idempotent sequence numbers, so a request that failed
    /// behind one that succeeded was taken as delivered; see ``KafkaProducerConfiguration/tuneForEmbeddedCluster()``).
    @Test("injected produce errors lose no output or activity record of an event whose offset is committed")
    func injectedProduceErrors() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { cluster.stop() }
        for topic in ["test.work", "test.done", "inprocess-worker.retry.0s", "inprocess-worker.dlt"] + AgentTopics.runtime {
            try cluster.createTopic(topic, partitions: 1)
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // One message per produce request, and no heartbeat but the first: the agent's only
        // messages after its start are its outputs and activity records.
        let runtime = try AgentRuntime(
            agent: Worker(),
            configuration: AgentRuntimeConfiguration(
                brokers: BrokerEndpoint(bootstrapServers: [cluster.bootstrapServers], source: .devBroker(path: "")),
                instanceID: "pipelined", schemas: SchemaDirectory(path: Self.fixtures, source: .flag),
                heartbeatInterval: .seconds(60), properties: ["batch.num.messages": "1"]),
            logger: logger)
        let running = Task { try await runtime.run() }
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        func publish(_ seqs: ClosedRange<Int>) async throws {
            for seq in seqs {
                let envelope = EventEnvelope.root(
                    type: Work.eventType, source: "/test", data: try Work(id: "w\(seq)", seq: seq, behavior: "ok").jsonPayload())
                try await producer.produce(topic: "test.work", key: "k", value: envelope.data, headers: envelope.kafkaHeaders)
            }
            try await producer.flush()
        }
        try await publish(0...0)
        _ = try await read("test.done", partitions: 1, count: 1, from: cluster)  // running, its producers connected

        // The next inputs (one batch, which the agent reads at once) wait while the cluster
        // answers 300 ms late (so the agent's producers have several requests out at once) and
        // the next two produce requests fail.
        let input = KafkaTopicPartition(topic: "test.work", partition: 0)
        try runtime.consumer.pause([input])
        let count = 8
        try await publish(1...count)
        try cluster.setRoundTripTime(broker: 1, .milliseconds(300))
        cluster.injectRequestErrors(api: .produce, errors: [.notLeaderForPartition, .notLeaderForPartition])
        try runtime.consumer.resume([input])

        // Every input handled and its messages acknowledged (nothing left unstored).
        let deadline = ContinuousClock.now + .seconds(30)
        while runtime.processor.counters.handled.load(ordering: .relaxed) < count + 1 || runtime.workerLedgerCount() > 0 {
            try #require(ContinuousClock.now < deadline, "inputs not all handled and stored")
            try await Task.sleep(for: .milliseconds(10))
        }
        try cluster.setRoundTripTime(broker: 1, .zero)
        runtime.requestStop()
        try await running.value
        try await producer.close()

        // The group committed past every input: each must have its output and activity record.
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let committed = try await admin.committedOffsets(group: "inprocess-worker", partitions: [input])
        #expect(committed.first?.offset == Int64(count + 1))
        let done = KafkaTopicPartition(topic: "test.done", partition: 0)
        let activity = KafkaTopicPartition(topic: AgentTopics.activity, partition: 0)
        let written = try await admin.watermarks(of: [done, activity])
        #expect(written[done]?.high == Int64(count + 1), "outputs written")
        #expect(written[activity]?.high == Int64(count + 1), "activity records written")
    }

    @Test("an event goes out only once its handling's state changes are written")
    func stateBeforeOutputs() async throws {
        // The state changelog on broker 2, everything else on broker 1.
        let cluster = try EmbeddedCluster(brokers: 2)
        defer { cluster.stop() }
        let stateTopic = AgentTopics.state(of: "inprocess-noter")
        for topic in ["test.work", "test.done", "inprocess-noter.retry.0s", "inprocess-noter.dlt", stateTopic] + AgentTopics.runtime {
            try cluster.createTopic(topic, partitions: 1)
            try cluster.setPartitionLeader(topic: topic, partition: 0, broker: topic == stateTopic ? 2 : 1)
        }
        try cluster.setGroupCoordinator(group: "inprocess-noter", broker: 1)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runtime = try AgentRuntime(
            agent: Noter(),
            configuration: AgentRuntimeConfiguration(
                brokers: BrokerEndpoint(bootstrapServers: [cluster.bootstrapServers], source: .devBroker(path: "")),
                instanceID: "noter", schemas: SchemaDirectory(path: Self.fixtures, source: .flag),
                heartbeatInterval: .seconds(60), properties: ["message.timeout.ms": "2000"]),
            logger: logger)
        let running = Task { try await runtime.run() }
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        func publish(_ seq: Int) async throws {
            let envelope = EventEnvelope.root(
                type: Work.eventType, source: "/test", data: try Work(id: "w\(seq)", seq: seq, behavior: "ok").jsonPayload())
            try await producer.produce(topic: "test.work", key: "k", value: envelope.data, headers: envelope.kafkaHeaders)
            try await producer.flush()
        }
        try await publish(0)
        _ = try await read("test.done", partitions: 1, count: 1, from: cluster)  // running, state caught up

        // The changelog's broker goes away: the next handling's state change cannot be written.
        try cluster.setBrokerDown(2)
        try await publish(1)
        // The undeliverable change stops the instance (so the event is handled again after a
        // restart); its event must not have gone out meanwhile.
        _ = try? await running.value
        try await producer.close()
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let input = KafkaTopicPartition(topic: "test.work", partition: 0)
        let done = KafkaTopicPartition(topic: "test.done", partition: 0)
        let written = try await admin.watermarks(of: [done])
        #expect(written[done]?.high == 1, "the second event was published without its state change")
        let committed = try await admin.committedOffsets(group: "inprocess-noter", partitions: [input])
        #expect(committed.first?.offset == 1, "the second input must be read again")
        admin.close()
    }

    @Test("a stop ends on time while a handling waits for its state changes to be written")
    func stopWhileStateUnwritten() async throws {
        let cluster = try EmbeddedCluster(brokers: 2)
        defer { cluster.stop() }
        let stateTopic = AgentTopics.state(of: "inprocess-noter")
        for topic in ["test.work", "test.done", "inprocess-noter.retry.0s", "inprocess-noter.dlt", stateTopic] + AgentTopics.runtime {
            try cluster.createTopic(topic, partitions: 1)
            try cluster.setPartitionLeader(topic: topic, partition: 0, broker: topic == stateTopic ? 2 : 1)
        }
        try cluster.setGroupCoordinator(group: "inprocess-noter", broker: 1)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // librdkafka's default message timeout (300 s): the write neither lands nor fails.
        var configuration = AgentRuntimeConfiguration(
            brokers: BrokerEndpoint(bootstrapServers: [cluster.bootstrapServers], source: .devBroker(path: "")),
            instanceID: "noter", schemas: SchemaDirectory(path: Self.fixtures, source: .flag), heartbeatInterval: .seconds(60))
        configuration.shutdownDeadline = .seconds(2)
        let runtime = try AgentRuntime(agent: Noter(), configuration: configuration, logger: logger)
        let running = Task { try await runtime.run() }
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        for seq in 0...1 {
            if seq == 1 { try cluster.setBrokerDown(2) }
            let envelope = EventEnvelope.root(
                type: Work.eventType, source: "/test", data: try Work(id: "w\(seq)", seq: seq, behavior: "ok").jsonPayload())
            try await producer.produce(topic: "test.work", key: "k", value: envelope.data, headers: envelope.kafkaHeaders)
            try await producer.flush()
            if seq == 0 { _ = try await read("test.done", partitions: 1, count: 1, from: cluster) }
        }
        try await producer.close()
        // The second handling ran and now waits for its state change.
        let deadline = ContinuousClock.now + .seconds(30)
        while runtime.processor.counters.handled.load(ordering: .relaxed) < 2 {
            try #require(ContinuousClock.now < deadline, "the second event was not handled")
            try await Task.sleep(for: .milliseconds(10))
        }
        let stopped = ContinuousClock.now
        runtime.requestStop()
        _ = try? await running.value
        #expect(ContinuousClock.now - stopped < .seconds(10), "the stop waited for the unwritable state change")
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let done = KafkaTopicPartition(topic: "test.done", partition: 0)
        #expect(try await admin.watermarks(of: [done])[done]?.high == 1, "the second event went out without its state")
        admin.close()
    }
}
