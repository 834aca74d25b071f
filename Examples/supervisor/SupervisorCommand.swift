import AgentBus
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

extension StalledWorkflowPolicy: ExpressibleByArgument {}

/// The supervisor executable: a ``Supervisor`` with its thresholds from flags and environment,
/// run until SIGTERM or SIGINT. Its alert schema is built in.
@main
struct SupervisorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervisor",
        abstract: "Watches the agents' heartbeats, dead letters and workflows, and publishes alerts to agentbus.alerts.",
        discussion: """
            Reads agentbus.heartbeats, agentbus.activity and every <agent>.dlt (found again every \
            --topic-refresh seconds) from --lookback seconds ago, without joining any agent's group \
            or committing, and every --interval judges: an instance silent for more than \
            --silent-after of its heartbeat intervals (instance-silent), or for more than \
            --dead-after without having said it stopped (instance-dead, critical); one reporting \
            itself unhealthy (instance-unhealthy) or more than --lag-threshold records behind \
            (lag-high); a dead-letter topic that gained --dlt-growth within --dlt-window \
            (dead-letters-growing); a workflow with no activity for --stall-after seconds that has \
            not handled a --terminal-type (workflow-stalled, watched only when terminal types are \
            given). Each is published once when it starts and again only after it cleared. It \
            writes its own heartbeats as agent --name, so a supervisor above it watches it too. \
            Every option falls back to the environment variable its help names. Exit status: 0 \
            on SIGTERM or SIGINT, 1 when it fails, 2 when its catalog has no alert type, 64 for a \
            bad option or an HTTP port in use.
            """)

    @OptionGroup(title: "Connection options") var connection: ConnectionOptions

    @OptionGroup(title: "HTTP endpoint: /healthz, /readyz, /metrics") var http: HTTPOptions

    @Option(help: ArgumentHelp(
        "Its agent name, in heartbeats and alerts. Default: $SUPERVISOR_NAME, then supervisor.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp(
        "This instance's name in heartbeats. Default: $AGENTBUS_INSTANCE_ID, then <host>-<pid>.", valueName: "id"))
    var instanceId: String?

    @Option(help: ArgumentHelp(
        "Seconds between judgements, and its own heartbeat interval. Default: $SUPERVISOR_INTERVAL, then 5.",
        valueName: "seconds"))
    var interval: Double?

    @Option(help: ArgumentHelp(
        "Heartbeat intervals without a heartbeat before an instance is silent. Default: $SUPERVISOR_SILENT_AFTER, then 2.",
        valueName: "intervals"))
    var silentAfter: Int?

    @Option(help: ArgumentHelp(
        "Heartbeat intervals without a heartbeat (and no stopped) before an instance is dead. Default: $SUPERVISOR_DEAD_AFTER, then 3.",
        valueName: "intervals"))
    var deadAfter: Int?

    @Option(help: ArgumentHelp(
        "Seconds without activity before a workflow that has not reached a terminal type is stalled. Default: $SUPERVISOR_STALL_AFTER, then 300.",
        valueName: "seconds"))
    var stallAfter: Double?

    @Option(help: ArgumentHelp(
        "An event type that ends a workflow (repeatable); without any, workflows are not watched. Default: $SUPERVISOR_TERMINAL_TYPES (comma-separated).",
        valueName: "type"))
    var terminalType: [String] = []

    @Option(help: ArgumentHelp(
        "Lag (records) above which an instance is lag-high; 0 turns it off. Default: $SUPERVISOR_LAG_THRESHOLD, then 10000.",
        valueName: "records"))
    var lagThreshold: Int64?

    @Option(help: ArgumentHelp(
        "Dead letters within --dlt-window that make a dead-letter topic growing; 0 turns it off. Default: $SUPERVISOR_DLT_GROWTH, then 5.",
        valueName: "count"))
    var dltGrowth: Int?

    @Option(help: ArgumentHelp(
        "The window of --dlt-growth, in seconds. Default: $SUPERVISOR_DLT_WINDOW, then 300.", valueName: "seconds"))
    var dltWindow: Double?

    @Option(help: ArgumentHelp(
        "What to do about a stalled workflow: alert (warning), escalate (critical), or redrive (send its last handled event again, same correlation ID, new event ID). Default: $SUPERVISOR_POLICY, then alert.",
        valueName: "policy"))
    var policy: StalledWorkflowPolicy?

    @Option(help: ArgumentHelp(
        "Seconds of history read at start. Default: $SUPERVISOR_LOOKBACK, then 900.", valueName: "seconds"))
    var lookback: Double?

    @Option(help: ArgumentHelp(
        "Seconds between listings of the topics, to find new dead-letter topics. Default: $SUPERVISOR_TOPIC_REFRESH, then 30.",
        valueName: "seconds"))
    var topicRefresh: Double?

    @Option(help: ArgumentHelp(
        "The schema catalog directory, which must hold dev.agentbus.supervisor.alert.v1. Default: $AGENTBUS_SCHEMAS, then the built-in alert schema.",
        valueName: "dir"))
    var schemas: String?

    @Option(help: ArgumentHelp(
        "trace, debug, info, notice, warning, error or critical (logs go to stderr). Default: $AGENTBUS_LOG_LEVEL, then info.",
        valueName: "level"))
    var logLevel: String?

    func run() async throws {
        let configuration: SupervisorConfiguration
        let level: Logger.Level
        let httpAddress: HTTPListenAddress?
        do {
            configuration = try supervisorConfiguration()
            level = try logLevel(environment: ProcessInfo.processInfo.environment)
            httpAddress = try http.listenAddress()
        } catch {
            throw ValidationError(error.message)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "agentbus.supervisor")
        // Before the supervisor makes its clients, so that whatever reports metrics reports there.
        let prometheus = httpAddress.map { _ in AgentHTTPEndpoint.bootstrapPrometheus() }
        let supervisor: Supervisor
        do {
            supervisor = try Supervisor(configuration: configuration, logger: logger)
        } catch {
            throw Self.failure("\(configuration.name): \(error)", status: ExitCode(2))
        }
        // The endpoint first, so that it stops last: it answers while the supervisor stops.
        var services: [any Service] = [supervisor]
        if let httpAddress {
            do {
                services.insert(
                    try AgentHTTPEndpoint(address: httpAddress, target: supervisor, metrics: prometheus, logger: logger), at: 0)
            } catch {
                throw Self.failure("\(configuration.name): \(error)", status: .validationFailure)
            }
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            throw Self.failure("\(configuration.name): \(error)", status: .failure)
        }
    }

    /// Each flag, else its environment variable, else the default.
    func supervisorConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> SupervisorConfiguration {
        let properties: [String: String]
        do { properties = try connection.librdkafkaProperties() } catch { throw AgentConfigurationError(error.message) }
        var configuration = SupervisorConfiguration(
            brokers: connection.endpoint(environment: environment),
            schemas: SchemaDirectory.resolve(flag: schemas, environment: environment, embedded: .module),
            properties: properties)
        if let name = try value(name, "SUPERVISOR_NAME", environment) { configuration.name = name }
        if let id = try value(instanceId, "AGENTBUS_INSTANCE_ID", environment) { configuration.instanceID = id }
        configuration.interval = try seconds(interval, "SUPERVISOR_INTERVAL", "interval", environment) ?? configuration.interval
        var thresholds = SupervisorThresholds()
        thresholds.silentAfterIntervals =
            try count(silentAfter, "SUPERVISOR_SILENT_AFTER", "silent-after", environment, minimum: 1)
            ?? thresholds.silentAfterIntervals
        thresholds.deadAfterIntervals =
            try count(deadAfter, "SUPERVISOR_DEAD_AFTER", "dead-after", environment, minimum: 1)
            ?? max(thresholds.deadAfterIntervals, thresholds.silentAfterIntervals + 1)
        thresholds.stallAfter = try seconds(stallAfter, "SUPERVISOR_STALL_AFTER", "stall-after", environment) ?? thresholds.stallAfter
        let types = terminalType.isEmpty
            ? (try value(nil, "SUPERVISOR_TERMINAL_TYPES", environment) ?? "").split(separator: ",").map(String.init)
            : terminalType
        thresholds.terminalTypes = Set(types.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        if let lag = try count(lagThreshold.map(Int.init), "SUPERVISOR_LAG_THRESHOLD", "lag-threshold", environment, minimum: 0) {
            thresholds.lag = lag == 0 ? nil : Int64(lag)
        }
        if let growth = try count(dltGrowth, "SUPERVISOR_DLT_GROWTH", "dlt-growth", environment, minimum: 0) {
            thresholds.deadLetterGrowth = growth == 0 ? nil : growth
        }
        thresholds.deadLetterWindow =
            try seconds(dltWindow, "SUPERVISOR_DLT_WINDOW", "dlt-window", environment) ?? thresholds.deadLetterWindow
        configuration.thresholds = thresholds
        if let policy {
            configuration.stalledPolicy = policy
        } else if let policy = try AgentEnvironment.value(
            "SUPERVISOR_POLICY", as: StalledWorkflowPolicy.self, environment: environment)
        {
            configuration.stalledPolicy = policy
        }
        configuration.lookback = try seconds(lookback, "SUPERVISOR_LOOKBACK", "lookback", environment) ?? configuration.lookback
        configuration.topicRefreshInterval =
            try seconds(topicRefresh, "SUPERVISOR_TOPIC_REFRESH", "topic-refresh", environment)
            ?? configuration.topicRefreshInterval
        return configuration
    }

    func validate() throws {
        do {
            _ = try supervisorConfiguration(environment: [:])
            _ = try logLevel(environment: [:])
        } catch {
            throw ValidationError(error.message)
        }
    }

    private func logLevel(environment: [String: String]) throws(AgentConfigurationError) -> Logger.Level {
        guard let text = try value(logLevel, "AGENTBUS_LOG_LEVEL", environment) else { return .info }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw AgentConfigurationError(
                "log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
        }
        return level
    }

    /// The flag, else the variable; empty counts as unset.
    private func value(_ flag: String?, _ variable: String, _ environment: [String: String]) throws(AgentConfigurationError)
        -> String?
    {
        if let flag, !flag.isEmpty { return flag }
        return try AgentEnvironment.value(variable, as: String.self, environment: environment)
    }

    private func seconds(_ flag: Double?, _ variable: String, _ what: String, _ environment: [String: String])
        throws(AgentConfigurationError) -> Duration?
    {
        guard let value = try flagOrVariable(flag, variable, environment) else {
            return nil
        }
        guard value > 0, value < 86_400 * 30 else {
            throw AgentConfigurationError("\(what) must be a number of seconds above 0, got \(value)")
        }
        return .milliseconds(Int64(value * 1000))
    }

    private func count(
        _ flag: Int?, _ variable: String, _ what: String, _ environment: [String: String], minimum: Int
    ) throws(AgentConfigurationError) -> Int? {
        guard let value = try flagOrVariable(flag, variable, environment) else {
            return nil
        }
        guard value >= minimum else { throw AgentConfigurationError("\(what) must be at least \(minimum), got \(value)") }
        return value
    }

    private func flagOrVariable<T: ExpressibleByArgument>(
        _ flag: T?, _ variable: String, _ environment: [String: String]
    ) throws(AgentConfigurationError) -> T? {
        if let flag { return flag }
        return try AgentEnvironment.value(variable, as: T.self, environment: environment)
    }

    /// One line on stderr, then the exit status.
    private static func failure(_ message: String, status: ExitCode) -> ExitCode {
        FileHandle.standardError.write(Data((message.replacingOccurrences(of: "\n", with: " ") + "\n").utf8))
        return status
    }
}
