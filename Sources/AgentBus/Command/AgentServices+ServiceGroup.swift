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
                services: (entries.map(\.service) + [runner]).map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: stopsOnSignals ? [.sigterm, .sigint] : [],
                logger: logger))
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
