import Logging
import ServiceLifecycle

extension AgentServices {
    /// The agent's service group: the services in the order added, then `runtime`, which waits
    /// for every readiness check before it starts. Shutdown goes in reverse order, so the
    /// runtime drains before any service it uses is stopped.
    ///
    /// - Parameter stopsOnSignals: whether SIGTERM and SIGINT shut the group down gracefully
    ///   (tests call `triggerGracefulShutdown()` instead).
    package func serviceGroup(runtime: AgentRuntime, logger: Logger, stopsOnSignals: Bool = true) -> ServiceGroup {
        let runner = RuntimeAfterReadiness(
            runtime: runtime, checks: entries.compactMap(\.readiness), logger: logger)
        return ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: (entries.map { OwnedService(service: $0.service, agent: runtime.agentName) as any Service }
                    + [runner]).map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: stopsOnSignals ? [.sigterm, .sigint] : [],
                logger: logger))
    }
}

/// A service the agent owns: it must run until the agent stops. One that returns on its own
/// leaves handlers without their client, so the agent stops and exits 1, saying which it was.
struct OwnedService: Service {
    let service: any Service
    let agent: String

    func run() async throws {
        try await service.run()
        if !Task.isShuttingDownGracefully, !Task.isCancelled {
            throw AgentConfigurationError(
                "\(agent): its service \(String(reflecting: type(of: service))) ended before the agent was stopped")
        }
    }
}

/// The runtime's place in the group: it waits for the services' readiness checks, then runs.
/// A shutdown requested while it waits ends it without reading anything.
struct RuntimeAfterReadiness: Service {
    let runtime: AgentRuntime
    let checks: [@Sendable () async throws -> Void]
    let logger: Logger

    func run() async throws {
        if !checks.isEmpty {
            logger.info(
                "waiting for services to be ready", metadata: ["agent": "\(runtime.agentName)", "count": "\(checks.count)"])
            do {
                try await cancelWhenGracefulShutdown {
                    try await withThrowingDiscardingTaskGroup { group in
                        for check in checks { group.addTask { try await check() } }
                    }
                }
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                throw AgentConfigurationError("a service of \(runtime.agentName) did not become ready: \(error)")
            }
            if Task.isShuttingDownGracefully { return }
            logger.info("services ready", metadata: ["agent": "\(runtime.agentName)", "count": "\(checks.count)"])
        }
        try await runtime.run()
    }
}
