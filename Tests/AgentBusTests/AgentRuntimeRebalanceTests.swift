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
                log.began(seq: work.seq)
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
        let started = Mutex<Set<Int>>([])
        func began(seq: Int) { _ = started.withLock { $0.insert(seq) } }
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

    static func publish(
        _ work: [Work], to cluster: EmbeddedCluster, partition: (Work) -> Int32? = { _ in nil }, key: (Work) -> String
    ) async throws {
        // Small record batches: a fetch returns at least one whole batch, so big ones would make
        // what arrives after a pause (and the buffered bound below) as big.
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: [cluster.bootstrapServers], properties: ["batch.num.messages": "10"]))
        for item in work {
            let envelope = EventEnvelope.root(type: Work.eventType, source: "/test", data: try item.jsonPayload())
            try await producer.produce(
                topic: "test.work", key: key(item), value: envelope.data, headers: envelope.kafkaHeaders,
                partition: partition(item))
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
            deadLetter = DeadLetter(record: record)
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

    // MARK: Rebalances

    /// A member of the agent's group that joins, reads without storing anything, and leaves.
    static func joinAndLeave(group: String, cluster: EmbeddedCluster) async throws {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: group)
        configuration.tuneForEmbeddedCluster()
        let member = try KafkaConsumer(configuration: configuration)
        try member.subscribe(topics: ["test.work"])
        let reading = Task { for try await _ in member.messages {} }
        var events = member.events.makeAsyncIterator()
        while let event = await events.next() {
            if case .assigned = event { break }
        }
        await member.close()
        reading.cancel()
    }

    @Test("a slow handler through several rebalances: buffered records stay bounded, and every event is handled")
    func boundedThroughRebalances() async throws {
        let cluster = try Self.cluster(agent: "gated-worker", partitions: 2)
        defer { cluster.stop() }
        let gate = Gate()
        let agent = GatedWorker(
            name: "gated-worker", gate: gate, log: HandlingLog(),
            policies: AgentPolicies(retry: .none, maxBufferedPerPartition: 50))
        let runtime = try Self.runtime(agent, on: cluster, instance: "gated") { configuration in
            configuration.revokeDeadline = .milliseconds(300)
            // Small fetches, so what arrives between a pause and its effect is small: the bound
            // below is then tight enough to catch a lost pause.
            configuration.properties["max.partition.fetch.bytes"] = "4096"
        }
        let running = Task { try await runtime.run() }
        let count = 10_000
        try await Self.publish((0..<count).map { Work(id: "w\($0)", seq: $0, behavior: "sleep") }, to: cluster) { "k\($0.seq)" }

        let peak = Mutex(0)
        let sampler = Task {
            while !Task.isCancelled {
                let buffered = runtime.bufferedRecords
                peak.withLock { $0 = max($0, buffered) }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        // Every handler waits at the gate: each rebalance abandons the two in progress, and the
        // partitions come back, unpaused by librdkafka, to fresh workers.
        for _ in 0..<3 { try await Self.joinAndLeave(group: "gated-worker", cluster: cluster) }
        #expect(try await Self.eventually { runtime.bufferedRecords > 0 }, "the partitions did not come back")
        sampler.cancel()
        let highest = peak.withLock { $0 }
        // The bound the runtime promises: 50 read ahead per partition, plus whatever the
        // consumer had fetched before a pause applied, at most its own buffer (4 batches of
        // 1,024; in practice a few hundred). Without the pause after a rebalance it climbs
        // toward the 10,000 published.
        let bound = 2 * 50 + 4 * 1_024
        #expect(highest <= bound, "\(highest) records buffered with a read-ahead of 50 per partition")

        // Nothing was lost on the way: once the handlers may finish, every event is handled.
        gate.open()
        var handled = Set<Int>()
        do {
            try await Self.read("test.done", from: cluster, timeout: .seconds(150)) { record in
                handled.insert(try EventEnvelope(record: record).decode(as: Done.self).seq)
                return handled.count == count
            }
        } catch {
            Issue.record("\(handled.count) of \(count) handled; the runtime: \(runtime.debugDescription)")
            throw error
        }
        #expect(handled.count == count)
        runtime.requestStop()
        try await running.value
    }

    @Test(
        "a revocation waits for the handlers in progress: no two owners handle a partition at once, and order holds",
        arguments: [AgentPolicies.Ordering.partition, .key(maxInFlight: 4)])
    func revocationWaitsForWorkInProgress(ordering: AgentPolicies.Ordering) async throws {
        let cluster = try Self.cluster(agent: "handover-worker", partitions: 2)
        defer { cluster.stop() }
        let gate = Gate()
        let log = HandlingLog()
        let agent = GatedWorker(
            name: "handover-worker", gate: gate, log: log, policies: AgentPolicies(ordering: ordering, retry: .none))
        let first = try Self.runtime(agent, on: cluster, instance: "first") { $0.revokeDeadline = .seconds(30) }
        let runningFirst = Task { try await first.run() }
        // On each partition, a slow event then four more of the same key: seq 0-4 on partition 0,
        // 100-104 on partition 1.
        let work = [0, 100].flatMap { base in
            [Work(id: "slow-\(base)", seq: base, behavior: "sleep")]
                + (1..<5).map { Work(id: "w\(base + $0)", seq: base + $0, behavior: "ok") }
        }
        try await Self.publish(work, to: cluster, partition: { $0.seq < 100 ? 0 : 1 }) { "key-\($0.seq / 100)" }
        #expect(try await Self.eventually { log.started.withLock { $0.isSuperset(of: [0, 100]) } })

        // A second instance joins while the first is in both slow handlers. The eager rebalance
        // revokes both partitions from the first (its buffered records are dropped at once) and
        // waits for the handlers; then one of the partitions moves to the second instance.
        let second = try Self.runtime(agent, on: cluster, instance: "second")
        let runningSecond = Task { try await second.run() }
        #expect(try await Self.eventually { first.bufferedRecords == 0 })
        gate.open()

        var outputs: [Int] = []
        try await Self.read("test.done", from: cluster) { record in
            outputs.append(try EventEnvelope(record: record).decode(as: Done.self).seq)
            return Set(outputs).count == work.count
        }
        let entries = log.entries.withLock { $0 }
        #expect(entries.contains { $0.instance == "second" }, "no partition moved to the second instance")
        for partition in [0, 100] {
            let own = { (seq: Int) in seq / 100 * 100 == partition }
            // The next owner starts after the slow event's output (the embedded cluster refuses
            // commits during a rebalance, so it may handle the slow event again, in order).
            let ordered = outputs.filter(own)
            #expect(ordered == ordered.sorted(), "partition of \(partition): outputs out of order: \(ordered)")
            let handlings = entries.filter { own($0.seq) }.sorted { $0.started < $1.started }
            for (earlier, later) in zip(handlings, handlings.dropFirst()) {
                #expect(later.started >= earlier.ended,
                    "\(later.instance) started event \(later.seq) while \(earlier.instance) still handled \(earlier.seq)")
            }
        }
        first.requestStop()
        second.requestStop()
        try await runningFirst.value
        try await runningSecond.value
    }
}
