import Foundation
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// The `main` of an agent executable: reads the command line and environment, runs the agent
/// until SIGTERM or SIGINT, and exits.
///
/// ```swift
/// @main enum Main {
///     static func main() async { await AgentMain.run(CreditCheck()) }
/// }
/// ```
///
/// Logs go to standard error at `$AGENTBUS_LOG_LEVEL` (default `info`). Exit status: 0 after a
/// clean stop, 1 when the agent failed, 2 for a bad command line or agent definition.
///
/// Spans go to whatever tracer the process bootstrapped before calling `run` (docs/tracing.md);
/// pass its background service (an OTLP exporter, say) in `services`, so it runs beside the
/// agent and shuts down after it, flushing the agent's last spans.
public enum AgentMain {
    /// - Parameters:
    ///   - bootstrapLogging: whether to send logs to standard error; pass false when the
    ///     executable bootstraps `LoggingSystem` itself (it can be bootstrapped once).
    ///   - services: more services to run in the agent's service group, such as the one
    ///     swift-otel's `OTel.bootstrap()` returns. They start before the agent and are shut
    ///     down after it (a service group stops its services in reverse order).
    public static func run(
        _ agent: some Agent, arguments: [String] = Array(CommandLine.arguments.dropFirst()),
        bootstrapLogging: Bool = true, services: [any Service] = []
    ) async -> Never {
        let configuration: AgentRuntimeConfiguration
        do {
            switch try AgentRuntimeConfiguration.resolve(arguments: arguments) {
            case .help:
                print(AgentRuntimeConfiguration.usage(agent: agent.name))
                exit(0)
            case .run(let resolved):
                configuration = resolved
            }
        } catch {
            fail("\(agent.name): \(error.message)", status: 2)
        }

        if bootstrapLogging {
            let level = ProcessInfo.logLevel
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "agentbus.agent")

        let runtime: AgentRuntime
        do {
            runtime = try AgentRuntime(agent: agent, configuration: configuration, logger: logger)
        } catch {
            fail("\(agent.name): \(error)", status: 2)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: (services + [runtime]).map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            fail("\(agent.name): \(error)", status: 1)
        }
        exit(0)
    }

    private static func fail(_ message: String, status: Int32) -> Never {
        var line = message.split(whereSeparator: \.isNewline).joined(separator: " ") + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        exit(status)
    }
}

extension ProcessInfo {
    /// `$AGENTBUS_LOG_LEVEL`: trace, debug, info, notice, warning, error or critical.
    static var logLevel: Logger.Level {
        processInfo.environment["AGENTBUS_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    }
}
