@testable import AgentBus
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Clients that live with the agent: started and ready before the first handler runs, stopped
/// after the runtime has drained.
@Suite("Agent services", .serialized, .timeLimit(.minutes(2)))
struct AgentServicesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas").path

    /// What happened, in order, across the service, the handler and the runtime's log.
    final class Journal: Sendable {
        private let entries = Mutex<[String]>([])
        func record(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
        func index(of entry: String) -> Int? { all.firstIndex(of: entry) }

        /// Polls until `entry` is recorded (the events come from other tasks and the cluster).
        func waitFor(_ entry: String, timeout: Duration = .seconds(60)) async throws {
            let deadline = ContinuousClock.now + timeout
            while index(of: entry) == nil {
                guard ContinuousClock.now < deadline else { throw AgentConfigurationError("no \(entry) in \(all)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// A client that takes a while to connect, as a model client or a database pool does.
    final class SlowClient: Service, Sendable {
        let journal: Journal
        private let ready = Atomic<Bool>(false)
        init(journal: Journal) { self.journal = journal }

        var isReady: Bool { ready.load(ordering: .acquiring) }

        func run() async throws {
            journal.record("service started")
            try await Task.sleep(for: .milliseconds(300))
            ready.store(true, ordering: .releasing)
            journal.record("service ready")
            try? await gracefulShutdown()
            journal.record("service stopping")
            ready.store(false, ordering: .releasing)
        }

        func waitUntilReady() async throws {
            while !isReady { try await Task.sleep(for: .milliseconds(10)) }
        }

        /// What a handler asks of it; it must be up.
        func lookUp(_ id: String) -> String { isReady ? "ready:\(id)" : "NOT READY:\(id)" }
    }

    struct Work: TypedEvent {
        static let eventType = "test.agentbus.work.v1"
        var id: String
        var seq: Int
        var behavior: String
    }

    /// The agent holds its client as a stored property; its handler uses it directly.
    struct ServiceUser: Agent {
        let name = "service-user"
        let client: SlowClient
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [client] work, _ in
                client.journal.record("handler \(client.lookUp(work.id))")
                try await Task.sleep(for: .milliseconds(500))
                client.journal.record("handler done \(client.lookUp(work.id))")
            }
        }
    }

    /// The runtime's own log lines, into the journal.
    struct JournalLogHandler: LogHandler {
        let journal: Journal
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let message = event.message.description
            if ["agent started", "agent stopped", "services ready"].contains(message) { journal.record("runtime: \(message)") }
        }
    }

    @Test("a service is ready before the first handler call, and stopped only after the runtime drained")
    func order() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { cluster.stop() }
        for topic in ["test.work", "service-user.retry.10s", "service-user.retry.60s", "service-user.dlt"] + AgentTopics.runtime {
            try cluster.createTopic(topic, partitions: 1)
        }
        // The event is there before the agent starts: only the readiness check holds it back.
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let envelope = EventEnvelope.root(
            type: Work.eventType, source: "/test", data: try Work(id: "w0", seq: 0, behavior: "ok").jsonPayload())
        try await producer.send(topic: "test.work", key: "k", value: envelope.data, headers: envelope.kafkaHeaders)
        try await producer.close()

        let journal = Journal()
        let client = SlowClient(journal: journal)
        var services = AgentServices()
        services.add(client, readiness: { try await client.waitUntilReady() })
        let logger = Logger(label: "test") { _ in JournalLogHandler(journal: journal) }
        let runtime = try AgentRuntime(
            agent: ServiceUser(client: client),
            configuration: AgentRuntimeConfiguration(
                brokers: BrokerEndpoint(bootstrapServers: [cluster.bootstrapServers], source: .devBroker(path: "")),
                instanceID: "services", schemas: SchemaDirectory(path: Self.fixtures, source: .flag)),
            logger: logger)
        let group = services.serviceGroup(runtime: runtime, logger: logger, stopsOnSignals: false)
        let running = Task { try await group.run() }

        try await journal.waitFor("handler ready:w0")
        await group.triggerGracefulShutdown()
        try await running.value

        let entries = journal.all
        func at(_ entry: String) throws -> Int { try #require(entries.firstIndex(of: entry), "\(entry) in \(entries)") }
        #expect(!entries.contains { $0.contains("NOT READY") }, "\(entries)")
        #expect(try at("service ready") < at("runtime: services ready"))
        #expect(try at("runtime: services ready") < at("runtime: agent started"))
        #expect(try at("runtime: agent started") < at("handler ready:w0"))
        // Shutdown: the in-flight handler finishes, the runtime stops, then the service.
        #expect(try at("handler done ready:w0") < at("runtime: agent stopped"))
        #expect(try at("runtime: agent stopped") < at("service stopping"))
    }

    @Test("a readiness check that fails stops the agent before it reads anything")
    func readinessFailure() async throws {
        struct Unreachable: Error, CustomStringConvertible { var description: String { "model endpoint unreachable" } }
        let journal = Journal()
        let client = SlowClient(journal: journal)
        var services = AgentServices()
        services.add(client, readiness: { throw Unreachable() })
        let group = try Self.unconnectedGroup(services, client: client, journal: journal)
        await #expect {
            try await group.run()
        } throws: { error in
            "\(error)".contains("did not become ready: model endpoint unreachable")
        }
        #expect(!journal.all.contains("runtime: agent started"), "\(journal.all)")
        #expect(journal.all.contains("service stopping"), "\(journal.all)")
    }

    /// The agent's group with a runtime whose broker is never reached: for tests that end before
    /// the runtime starts reading.
    static func unconnectedGroup(_ services: AgentServices, client: SlowClient, journal: Journal) throws -> ServiceGroup {
        let logger = Logger(label: "test") { _ in JournalLogHandler(journal: journal) }
        let runtime = try AgentRuntime(
            agent: ServiceUser(client: client),
            configuration: AgentRuntimeConfiguration(
                brokers: BrokerEndpoint(bootstrapServers: ["127.0.0.1:1"], source: .flag),
                instanceID: "services", schemas: SchemaDirectory(path: fixtures, source: .flag)),
            logger: logger)
        return services.serviceGroup(runtime: runtime, logger: logger, stopsOnSignals: false)
    }

    /// A service that gives up on its own, as a client whose connection loop ends would.
    struct QuittingService: Service {
        func run() async throws {}
    }

    @Test("a service that ends before the agent is stopped stops the agent as failed, naming it")
    func serviceEndingEarly() async throws {
        let journal = Journal()
        let client = SlowClient(journal: journal)
        var services = AgentServices()
        // Its readiness never comes, so the runtime does not start: the service's end alone must
        // stop the agent (and the wait, which honours cancellation).
        services.add(QuittingService(), readiness: { try await Task.sleep(for: .seconds(3600)) })
        let group = try Self.unconnectedGroup(services, client: client, journal: journal)
        await #expect {
            try await group.run()
        } throws: { error in
            "\(error)".contains("QuittingService ended before the agent was stopped")
        }
    }
}
