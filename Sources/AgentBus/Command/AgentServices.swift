import ServiceLifecycle

/// The long-lived clients and services an agent owns (a model client, a database pool, a
/// tracing exporter): they start before the first handler runs and stop after the last.
///
/// ``AgentCommand/makeAgent(services:)`` adds them; the agent keeps the clients as stored
/// properties, so its handlers use them directly, without globals:
///
/// ```swift
/// func makeAgent(services: inout AgentServices) async throws -> TriageAgent {
///     let model = ModelClient(endpoint: modelURL)
///     services.add(model, readiness: { try await model.waitUntilConnected() })
///     return TriageAgent(model: model)
/// }
/// ```
///
/// They run in the agent's `ServiceGroup`, in the order added, with the runtime last. The
/// runtime starts reading events only once every readiness check has returned; on SIGTERM or
/// SIGINT (or when any of them ends) the group stops them in reverse order: the runtime first,
/// draining its handlers, then the services, last added first. A service runs until it is told
/// to shut down gracefully; one that returns before that, or throws, stops the agent, which then
/// exits 1 naming it.
///
/// Services are started together; "before the first handler" is guaranteed for the services
/// that give a readiness check. A readiness check must honour cancellation, or a SIGTERM that
/// arrives while it waits cannot stop the agent.
public struct AgentServices: Sendable {
    /// A service and the check that says it can be used.
    package struct Entry: Sendable {
        package let service: any Service
        package let readiness: (@Sendable () async throws -> Void)?
    }

    package private(set) var entries: [Entry] = []

    public init() {}

    /// Runs `service` beside the agent.
    ///
    /// - Parameter readiness: returns once the service can serve handlers (connected, warmed
    ///   up); the runtime waits for it before reading events. Throwing stops the agent before
    ///   any event is read. Default: none, ready as soon as it is started.
    public mutating func add(_ service: some Service, readiness: (@Sendable () async throws -> Void)? = nil) {
        entries.append(Entry(service: service, readiness: readiness))
    }

    /// Runs `service` before every other, so that it stops after them all (the agent's HTTP
    /// endpoint, which answers probes while the rest drain).
    package mutating func addFirst(_ service: some Service) {
        entries.insert(Entry(service: service, readiness: nil), at: 0)
    }

    /// The services added so far.
    public var services: [any Service] { entries.map(\.service) }
}
