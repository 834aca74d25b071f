import AgentBus
import Foundation
import Kafka
import Logging

/// An agent's real ``AgentBus/AgentRuntime`` on an ``Kafka/EmbeddedCluster`` in this process:
/// for integration tests that need what ``AgentTester`` leaves out (Kafka, partitions, offsets,
/// the retry topics as topics).
///
/// ```swift
/// let harness = try AgentHarness(CreditCheck(), schemas: "schemas")
/// try await harness.publish(ApplicationReceived(applicationId: "a-1", amount: 5_000))
/// let checks = try await harness.events(CreditChecked.self, count: 1)
/// try await harness.stop()
/// ```
///
/// It creates every topic of the catalog, the agent's retry topics (one per delay tier of its
/// policy), its dead-letter topic and the
/// runtime's, then starts the runtime with the embedded cluster's client tuning. The awaiting
/// methods return as soon as what they wait for is on its topic; their timeout is only a safety
/// net against a test that would otherwise hang.
public final class AgentHarness: Sendable {
    public let cluster: EmbeddedCluster
    public let registry: SchemaRegistry
    public let agentName: String
    /// Partitions of every topic created.
    public let partitions: Int
    /// How long the awaiting methods wait by default before throwing ``Timeout``.
    public let timeout: Duration
    private let runtime: AgentRuntime
    private let catalog: SchemaDirectory
    private let running: Task<Void, any Error>
    private let producer: KafkaProducer
    private let publisher: EventPublisher

    /// What an awaiting method did not see in time.
    public struct Timeout: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts an embedded cluster, creates the topics, and starts `agent` on it.
    ///
    /// - Parameters:
    ///   - schemas: the schema catalog's directory.
    ///   - logger: the runtime's logger. Default: warnings and worse, to standard error.
    public convenience init(
        _ agent: some Agent, schemas: String, partitions: Int = 1, instanceID: String = "harness",
        timeout: Duration = .seconds(60), logger: Logger? = nil
    ) throws {
        try self.init(
            agent, catalog: SchemaDirectory(path: schemas, source: .flag), partitions: partitions,
            instanceID: instanceID, timeout: timeout, logger: logger)
    }

    /// Starts an embedded cluster, creates the topics, and starts `agent` on it, with a catalog
    /// compiled into a module (``AgentBus/EmbeddedSchemas``), as the agent's executable runs.
    public convenience init(
        _ agent: some Agent, schemas: EmbeddedSchemas, partitions: Int = 1, instanceID: String = "harness",
        timeout: Duration = .seconds(60), logger: Logger? = nil
    ) throws {
        try self.init(
            agent, catalog: SchemaDirectory(embedded: schemas), partitions: partitions, instanceID: instanceID,
            timeout: timeout, logger: logger)
    }

    /// Starts another instance of `agent` on the cluster of `other`, whose topics exist already:
    /// a restart of the agent, or a second member of its group. Keep `other` alive meanwhile:
    /// it owns the cluster.
    public convenience init(_ agent: some Agent, joining other: AgentHarness, instanceID: String, logger: Logger? = nil) throws {
        try self.init(
            agent, catalog: other.catalog, partitions: other.partitions, instanceID: instanceID, timeout: other.timeout,
            logger: logger, cluster: other.cluster)
    }

    private init(
        _ agent: some Agent, catalog directory: SchemaDirectory, partitions: Int, instanceID: String,
        timeout: Duration, logger: Logger?, cluster existing: EmbeddedCluster? = nil
    ) throws {
        let registry = try directory.load()
        let cluster = try existing ?? EmbeddedCluster(brokers: 1)
        if existing == nil {
            let topics = registry.topics + AgentTopics.retryTiers(of: agent.name, delays: agent.policies.retry.retryTopicDelays)
                + AgentTopics.owned(by: agent.name) + AgentTopics.runtime
            for topic in Set(topics) { try cluster.createTopic(topic, partitions: partitions) }
        }
        var runtimeLogger = logger ?? Logger(label: "agentbus.harness")
        if logger == nil { runtimeLogger.logLevel = .warning }
        // A dev-broker endpoint is what tells the runtime to tune its clients for the embedded
        // cluster (short fetch waits, a short session timeout, one produce request in flight).
        let runtime = try AgentRuntime(
            agent: agent,
            configuration: AgentRuntimeConfiguration(
                brokers: BrokerEndpoint(bootstrapServers: [cluster.bootstrapServers], source: .devBroker(path: "")),
                instanceID: instanceID, schemas: directory, heartbeatInterval: .seconds(1),
                shutdownDeadline: .seconds(5)),
            logger: runtimeLogger)
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: [cluster.bootstrapServers])
        producerConfiguration.tuneForEmbeddedCluster()
        let producer = try KafkaProducer(configuration: producerConfiguration)
        self.cluster = cluster
        self.catalog = directory
        self.registry = registry
        self.agentName = agent.name
        self.partitions = partitions
        self.timeout = timeout
        self.runtime = runtime
        self.producer = producer
        self.publisher = EventPublisher(producer: producer, registry: registry, source: "/test")
        running = Task { try await runtime.run() }
    }

    // MARK: Publishing

    /// Publishes a root event with `payload`, as `agentbus publish` would; returns once the
    /// broker acknowledged it.
    @discardableResult
    public func publish<Event: TypedEvent>(
        _ payload: Event, key: String? = nil, correlationID: String? = nil
    ) async throws(PublishError) -> PublishedEvent {
        try await publisher.publish(payload, key: key, correlationID: correlationID)
    }

    /// Publishes an envelope built elsewhere, as is.
    @discardableResult
    public func publish(_ envelope: EventEnvelope) async throws(PublishError) -> PublishedEvent {
        try await publisher.publish(envelope)
    }

    // MARK: Awaiting

    /// The first `count` events of type `Event` on its topic, decoded: in order within a
    /// partition, partitions interleaved as read.
    ///
    /// - Throws: ``Timeout`` when fewer arrived within `timeout` (default: ``timeout``).
    public func events<Event: TypedEvent>(
        _ type: Event.Type, count: Int, timeout: Duration? = nil
    ) async throws -> [Event] {
        try await envelopes(of: Event.eventType, count: count, timeout: timeout).map { try $0.decode(as: type) }
    }

    /// The first `count` envelopes of `type` (a `ce_type`) on its topic.
    public func envelopes(of type: String, count: Int, timeout: Duration? = nil) async throws -> [EventEnvelope] {
        guard let schema = registry.eventSchema(for: type) else {
            throw PublishError.unknownType(type, suggestions: registry.suggestions(for: type))
        }
        let records = try await read(schema.topic, count: count, timeout: timeout ?? self.timeout) { record in
            (try? EventEnvelope(record: record))?.type == type
        }
        return try records.map { try EventEnvelope(record: $0) }
    }

    /// The first `count` records of the agent's dead-letter topic.
    public func deadLetters(count: Int, timeout: Duration? = nil) async throws -> [DeadLetter] {
        try await read(AgentTopics.deadLetter(of: agentName), count: count, timeout: timeout ?? self.timeout) { _ in true }
            .map(DeadLetter.init(record:))
    }

    /// The first `count` activity records of this agent (every instance of it).
    public func activity(count: Int, timeout: Duration? = nil) async throws -> [ActivityRecord] {
        let agent = agentName
        return try await read(AgentTopics.activity, count: count, timeout: timeout ?? self.timeout) { record in
            (try? ActivityRecord(json: record.value))?.agent == agent
        }.map { try ActivityRecord(json: $0.value) }
    }

    /// Whether this instance has learnt that workflow `correlationID` was cancelled.
    package func knowsCancelled(_ correlationID: String) -> Bool { runtime.knowsCancelled(correlationID) }

    /// Reads `topic` from the beginning until `count` records pass `matching`.
    private func read(
        _ topic: String, count: Int, timeout: Duration, matching: @escaping @Sendable (KafkaRecord) -> Bool
    ) async throws -> [KafkaRecord] {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: [cluster.bootstrapServers], groupID: "agentbus-harness-\(UUID())")
        configuration.tuneForEmbeddedCluster()
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<Int32(partitions)).map {
            (KafkaTopicPartition(topic: topic, partition: $0), KafkaStartOffset.beginning)
        }))
        let found = try await withThrowingTaskGroup(of: [KafkaRecord]?.self) { group in
            group.addTask {
                var found: [KafkaRecord] = []
                for try await record in consumer.messages where matching(record) {
                    // Records are views into their fetched batch: keep copies.
                    found.append(KafkaRecord(
                        topic: record.topic, partition: record.partition, offset: record.offset,
                        timestamp: record.timestamp, key: record.key?.array, value: record.value.array,
                        headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value?.array) }))
                    if found.count == count { return found }
                }
                return found
            }
            group.addTask {
                try await Task.sleep(for: timeout)  // the safety net, never the synchronization
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await consumer.close()
        guard let found, found.count >= count else {
            throw Timeout(description: "fewer than \(count) matching records on \(topic) within \(timeout)")
        }
        return found
    }

    // MARK: Stopping

    /// Stops the agent as SIGTERM would (in-flight handlers finish, offsets are committed).
    /// Rethrows what the runtime's run ended with. The cluster stays up, so the test can still
    /// read it (committed offsets, say); it stops when the harness is released.
    public func stop() async throws {
        runtime.requestStop()
        try await producer.close()
        try await running.value
    }

    /// A test that ends early (a failed `#require`, a ``Timeout``) never calls ``stop()``: the
    /// runtime must not go on polling a cluster that is gone for the rest of the test process.
    deinit {
        runtime.requestStop()
        running.cancel()
    }
}
