@testable import AgentBus
import Foundation
import Kafka
import Logging
import Synchronization
import Testing

/// The runtime where AI agents live: handlers that take long or hang, and instances that come and
/// go. In this process, against an embedded cluster in this process.
@Suite("AgentRuntime under slow handlers and rebalances", .serialized, .timeLimit(.minutes(3)))
struct AgentRuntimeRebalanceTests {
    typealias Work = AgentRuntimeInProcessTests.Work
    typealias Done = AgentRuntimeInProcessTests.Done

    /// Waits on `gate` for events whose behavior is `sleep`; records when each handling ran.
    struct GatedWorker: Agent {
        let name: String
        let gate: Gate
        let log: HandlingLog
        var policies: AgentPolicies
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [gate, log] work, context in
                let started = ContinuousClock.now
                if work.behavior == "sleep" { await gate.wait() }
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
                log.append(seq: work.seq, instance: context.instance, started: started, ended: .now)
            }
        }
    }

    /// When each handling ran, by which instance.
    final class HandlingLog: Sendable {
        struct Entry {
            let seq: Int
            let instance: String
            let started: ContinuousClock.Instant
            let ended: ContinuousClock.Instant
        }
        let entries = Mutex<[Entry]>([])
        func append(seq: Int, instance: String, started: ContinuousClock.Instant, ended: ContinuousClock.Instant) {
            entries.withLock { $0.append(Entry(seq: seq, instance: instance, started: started, ended: ended)) }
        }
    }

    static func cluster(agent: String, partitions: Int32) throws -> EmbeddedCluster {
        let cluster = try EmbeddedCluster(brokers: 1)
        for topic in ["test.work", "test.done"] + AgentTopics.retryTiers(of: agent, delays: [])
            + [AgentTopics.deadLetter(of: agent)] + AgentTopics.runtime
        {
            try cluster.createTopic(topic, partitions: topic == "test.work" ? Int(partitions) : 1)
        }
        return cluster
    }

    static func runtime(
        _ agent: GatedWorker, on cluster: EmbeddedCluster, instance: String,
        configure: (inout AgentRuntimeConfiguration) -> Void = { _ in }
    ) throws -> AgentRuntime {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        var configuration = AgentRuntimeConfiguration(
            brokers: BrokerEndpoint(bootstrapServers: [cluster.bootstrapServers], source: .devBroker(path: "")),
            instanceID: instance, schemas: SchemaDirectory(path: AgentRuntimeInProcessTests.fixtures, source: .flag),
            heartbeatInterval: .milliseconds(200), shutdownDeadline: .seconds(2))
        configure(&configuration)
        return try AgentRuntime(agent: agent, configuration: configuration, logger: logger)
    }

    static func publish(_ work: [Work], to cluster: EmbeddedCluster, key: (Work) -> String) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        for item in work {
            let envelope = EventEnvelope.root(type: Work.eventType, source: "/test", data: try item.jsonPayload())
            try await producer.produce(topic: "test.work", key: key(item), value: envelope.data, headers: envelope.kafkaHeaders)
        }
        try await producer.flush()
        try await producer.close()
    }

    /// Reads `topic` from the beginning, handing each record to `until` until it returns true.
    /// Throws when that takes longer than `timeout`.
    static func read(
        _ topic: String, partitions: Int32 = 1, from cluster: EmbeddedCluster, timeout: Duration = .seconds(60),
        until done: (KafkaRecord) throws -> Bool
    ) async throws {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: [cluster.bootstrapServers], groupID: "reader-\(UUID())")
        configuration.tuneForEmbeddedCluster()
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map {
            (KafkaTopicPartition(topic: topic, partition: $0), KafkaStartOffset.beginning)
        }))
        // Closing the consumer ends the loop below.
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            await consumer.close()
        }
        defer { watchdog.cancel() }
        var finished = false
        for try await record in consumer.messages where try done(record) {
            finished = true
            break
        }
        await consumer.close()
        if !finished { throw TestTimeout("reading \(topic) did not finish within \(timeout)") }
    }

    struct TestTimeout: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Checks `condition` until it holds or `timeout` passes.
    static func eventually(_ timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    // MARK: Deadline

    @Test("a handler that ignores cancellation is abandoned at its deadline: the partition moves on, the instance says unhealthy")
    func deadlineAbandons() async throws {
        let cluster = try Self.cluster(agent: "hanging-worker", partitions: 1)
        defer { cluster.stop() }
        let gate = Gate()
        let agent = GatedWorker(
            name: "hanging-worker", gate: gate, log: HandlingLog(),
            policies: AgentPolicies(retry: .none, handlerDeadline: .milliseconds(300)))
        let runtime = try Self.runtime(agent, on: cluster, instance: "hanging") { $0.abandonedHandlerLimit = 0 }
        let running = Task { try await runtime.run() }

        // One partition: the hanging event first, then one that is fine.
        try await Self.publish(
            [Work(id: "hangs", seq: 0, behavior: "sleep"), Work(id: "fine", seq: 1, behavior: "ok")], to: cluster) { _ in "k" }

        // The second event is handled while the first handler still hangs.
        var handled: [String] = []
        try await Self.read("test.done", from: cluster) { record in
            handled.append(try EventEnvelope(record: record).decode(as: Done.self).id)
            return true
        }
        #expect(handled == ["fine"])
        var deadLetter: DeadLetter?
        try await Self.read(AgentTopics.deadLetter(of: "hanging-worker"), from: cluster) { record in
            deadLetter = try DeadLetter(record: record)
            return true
        }
        #expect(deadLetter?.failureClass == .transient)
        #expect(deadLetter?.errorType == "DeadlineExceeded")
        #expect(runtime.abandonedHandlers == 1)

        // Past the limit of abandoned handlers still running, heartbeats say unhealthy.
        var unhealthy: Heartbeat?
        try await Self.read(AgentTopics.heartbeats, from: cluster) { record in
            let heartbeat = try Heartbeat(json: record.value)
            if heartbeat.status == .unhealthy { unhealthy = heartbeat }
            return unhealthy != nil
        }
        #expect(unhealthy?.abandoned == 1)

        // Once the hanging handler does end, it no longer counts, and what it published is dropped.
        gate.open()
        #expect(try await Self.eventually { runtime.abandonedHandlers == 0 })
        runtime.requestStop()
        try await running.value
        let done = KafkaTopicPartition(topic: "test.done", partition: 0)
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        #expect(try await admin.watermarks(of: [done])[done]?.high == 1, "the abandoned attempt's output was published")
    }
}
