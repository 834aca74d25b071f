import ArgumentParser
import Logging

/// An agent executable: its `@main` type, a command line of its own options next to the
/// runtime's, which builds the agent and runs it until SIGTERM or SIGINT.
///
/// ```swift
/// @main
/// struct CreditCheck: AgentCommand {
///     static let configuration = CommandConfiguration(commandName: "credit-check")
///
///     @OptionGroup(title: "Runtime options") var runtime: AgentOptions
///
///     @Option(help: "Simulated bureau latency in ms. Default: $CREDIT_CHECK_BUREAU_LATENCY_MS, then 0.")
///     var bureauLatency: Int?
///
///     var embeddedSchemas: EmbeddedSchemas? { .loanEvents }
///
///     func makeAgent(services: inout AgentServices) async throws -> CreditCheckAgent {
///         let latency = try bureauLatency ?? AgentEnvironment.value("CREDIT_CHECK_BUREAU_LATENCY_MS", as: Int.self) ?? 0
///         return CreditCheckAgent(bureau: CreditBureau(latency: .milliseconds(latency)))
///     }
/// }
/// ```
///
/// `--help` lists the agent's options and the runtime's (``AgentOptions``). The default
/// ``run()`` resolves the configuration, calls ``bootstrapLogging(level:)``, builds the agent with
/// ``makeAgent(services:)``, and runs it with its ``AgentServices`` in one `ServiceGroup`.
///
/// Exit status:
/// - 0: stopped cleanly (SIGTERM or SIGINT), or `--help`;
/// - 1: the agent, or one of its services, failed (one line on stderr says why);
/// - 2: the agent cannot start as defined: a bad name, a handled type not in the catalog, a
///   catalog that does not load (one line on stderr);
/// - 64: a bad flag or environment variable (ArgumentParser prints it with the usage).
public protocol AgentCommand: AsyncParsableCommand {
    /// The agent this executable runs.
    associatedtype AgentType: Agent

    /// The runtime's options: declare `@OptionGroup var runtime: AgentOptions`.
    var runtime: AgentOptions { get }

    /// Builds the agent, from the command's own options and the environment (see
    /// ``AgentEnvironment``), and adds the long-lived services its handlers use to `services`.
    ///
    /// Called once, after logging is set up and before the runtime is created. Throw an
    /// ``AgentConfigurationError`` (as ``AgentEnvironment`` does) for a bad setting: it is
    /// reported as a usage error; any other error exits 1.
    func makeAgent(services: inout AgentServices) async throws -> AgentType

    /// The schema catalog built into the executable (``EmbeddedSchemas``), used when neither
    /// `--schemas` nor `$AGENTBUS_SCHEMAS` names a directory, before `./schemas`. Default: nil.
    var embeddedSchemas: EmbeddedSchemas? { get }

    /// Sets up the process's logging, once, before anything logs. `level` is `--log-level`, else
    /// `$AGENTBUS_LOG_LEVEL`, else `info`.
    ///
    /// Default: a `StreamLogHandler` on standard error at `level`. Implement it to bootstrap
    /// `LoggingSystem` your own way (swift-otel's metadata provider, say: docs/tracing.md), or
    /// to leave it to code that already did.
    func bootstrapLogging(level: Logger.Level)
}

extension AgentCommand {
    public var embeddedSchemas: EmbeddedSchemas? { nil }

    public func bootstrapLogging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Runs the agent until SIGTERM or SIGINT; see ``AgentCommand`` for what it does and its exit
    /// statuses.
    public func run() async throws {
        try await runAgent()
    }
}
