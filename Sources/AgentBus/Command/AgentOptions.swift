import ArgumentParser
import Foundation
import Logging

/// The runtime's command-line options, which every agent executable takes: declare
/// `@OptionGroup var runtime: AgentOptions` in your ``AgentCommand``.
///
/// Each option has an environment variable, named in its help; a flag wins over its variable,
/// which wins over the default. Values are checked when the command line is parsed (flags) and
/// when the agent starts (variables); a bad one is a usage error of one line.
public struct AgentOptions: ParsableArguments, Sendable {
    /// `--brokers`, `--bootstrap-file`, `-X key=value`.
    @OptionGroup public var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp(
        "This instance's name in heartbeats, activity records and dead letters. Default: $AGENTBUS_INSTANCE_ID, then <host>-<pid>.",
        valueName: "id"))
    public var instanceId: String?

    @Option(name: .long, help: ArgumentHelp(
        "Most handlers running at once. Default: $AGENTBUS_CONCURRENCY, then the agent's policy.", valueName: "n"))
    public var concurrency: String?

    @Option(name: .long, help: ArgumentHelp(
        "The schema catalog directory. Default: $AGENTBUS_SCHEMAS, then the schemas built into the agent, then ./schemas.",
        valueName: "dir"))
    public var schemas: String?

    @Option(name: .long, help: ArgumentHelp(
        "Seconds between heartbeats. Default: $AGENTBUS_HEARTBEAT_INTERVAL, then 5.", valueName: "seconds"))
    public var heartbeatInterval: String?

    @Option(name: .long, help: ArgumentHelp(
        "Seconds in-flight handlers get to finish on SIGTERM or SIGINT. Default: $AGENTBUS_SHUTDOWN_DEADLINE, then 10.",
        valueName: "seconds"))
    public var shutdownDeadline: String?

    @Option(name: .long, help: ArgumentHelp(
        "Seconds handlers of partitions taken away in a rebalance get to finish before the partitions are given up. Default: $AGENTBUS_REVOKE_DEADLINE, then 10.",
        valueName: "seconds"))
    public var revokeDeadline: String?

    @Option(name: .long, help: ArgumentHelp(
        "trace, debug, info, notice, warning, error or critical (logs go to stderr). Default: $AGENTBUS_LOG_LEVEL, then info.",
        valueName: "level"))
    public var logLevel: String?

    @Option(name: .long, help: ArgumentHelp(
        "A JSON file of model prices per million tokens, {\"MODEL\": {\"input\": 0.15, \"output\": 0.6}}: each model call's cost is recorded and added to its workflow's. Default: $AGENTBUS_MODEL_PRICES, then none (calls cost 0).",
        valueName: "file"))
    public var modelPrices: String?

    /// `--http-port` and `--http-address`: the HTTP endpoint with `/healthz`, `/readyz` and
    /// Prometheus `/metrics` (``HTTPOptions``).
    @OptionGroup public var http: HTTPOptions

    /// `--rerun FILE` (`-`: standard input): instead of running, hand the events of a recorded
    /// workflow (``RecordedWorkflow``, as JSON Lines) to the agent's handlers, with every effect
    /// served from the recording's journal and nothing sent to Kafka or a model, and write the
    /// outcomes (``RerunOutcome``) as JSON Lines to standard output. What `agentbus replay rerun`
    /// runs; hidden from `--help`, since people run that instead.
    @Option(name: .long, help: ArgumentHelp(
        "Rerun the recorded workflow in FILE (- for standard input) and print the outcomes; used by agentbus replay rerun.",
        valueName: "file", visibility: .hidden))
    public var rerun: String?

    /// `--describe`: instead of running, print the agent's ``AgentDescription`` as one line of
    /// JSON (its group, the types it handles and publishes, the topics it reads and writes) and
    /// exit; nothing connects to Kafka. `agentbus topics acl` reads it to grant the agent what it
    /// needs.
    @Flag(name: .long, help: "Print what the agent reads and writes (its group and topics) as JSON, and exit; connects to nothing.")
    public var describe = false

    public init() {}

    /// Checks the flags' values, so that a bad one is reported with the usage before anything
    /// starts. (Variables are checked by ``configuration(embeddedSchemas:environment:)``.)
    public func validate() throws {
        do {
            _ = try configuration(environment: [:])
            _ = try logLevel(environment: [:])
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// The runtime's configuration: each flag, else its environment variable, else the default.
    ///
    /// - Parameter embeddedSchemas: the agent's built-in catalog, used when neither `--schemas`
    ///   nor `$AGENTBUS_SCHEMAS` names one (before `./schemas`).
    /// - Throws: ``AgentConfigurationError`` naming the value at fault, e.g.
    ///   `concurrency must be a whole number of at least 1, got "0"`.
    public func configuration(
        embeddedSchemas: EmbeddedSchemas? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> AgentRuntimeConfiguration {
        let properties: [String: String]
        do { properties = try connection.librdkafkaProperties(environment: environment) } catch { throw AgentConfigurationError(error.message) }
        var configuration = AgentRuntimeConfiguration(
            brokers: connection.endpoint(environment: environment),
            schemas: SchemaDirectory.resolve(flag: schemas, environment: environment, embedded: embeddedSchemas),
            properties: properties)
        if let id = Self.value(instanceId, "AGENTBUS_INSTANCE_ID", environment) {
            configuration.instanceID = id
        }
        if let text = Self.value(concurrency, "AGENTBUS_CONCURRENCY", environment) {
            guard let value = Int(text), value >= 1 else {
                throw AgentConfigurationError("concurrency must be a whole number of at least 1, got \"\(text)\"")
            }
            configuration.concurrency = value
        }
        if let text = Self.value(heartbeatInterval, "AGENTBUS_HEARTBEAT_INTERVAL", environment) {
            configuration.heartbeatInterval = try Self.seconds(text, "heartbeat interval")
        }
        if let text = Self.value(shutdownDeadline, "AGENTBUS_SHUTDOWN_DEADLINE", environment) {
            configuration.shutdownDeadline = try Self.seconds(text, "shutdown deadline")
        }
        if let text = Self.value(revokeDeadline, "AGENTBUS_REVOKE_DEADLINE", environment) {
            configuration.revokeDeadline = try Self.seconds(text, "revoke deadline")
        }
        if let path = Self.value(modelPrices, "AGENTBUS_MODEL_PRICES", environment) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AgentConfigurationError("cannot read the model prices file \(path)")
            }
            do { configuration.modelPrices = try ModelPrices(json: Array(data)) } catch {
                throw AgentConfigurationError("\(path): \(error.message)")
            }
        }
        return configuration
    }

    /// Where the HTTP endpoint listens (``HTTPOptions/listenAddress(environment:)``); nil without
    /// a port.
    public func httpListenAddress(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> HTTPListenAddress? {
        try http.listenAddress(environment: environment)
    }

    /// `--log-level`, else `$AGENTBUS_LOG_LEVEL`, else `info`.
    ///
    /// - Throws: ``AgentConfigurationError`` for a name that is not a level.
    public func logLevel(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> Logger.Level {
        guard let text = Self.value(logLevel, "AGENTBUS_LOG_LEVEL", environment) else { return .info }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw AgentConfigurationError(
                "log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
        }
        return level
    }

    /// The flag, else the variable; an empty value counts as unset.
    private static func value(_ flag: String?, _ variable: String, _ environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }

    private static func seconds(_ text: String, _ what: String) throws(AgentConfigurationError) -> Duration {
        guard let value = Double(text), value > 0, value < 86_400 else {
            throw AgentConfigurationError("\(what) must be a number of seconds above 0, got \"\(text)\"")
        }
        return .milliseconds(Int64(value * 1000))
    }
}
