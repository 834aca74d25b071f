import Foundation
import Kafka
import Tracing

/// Where and how an agent instance runs. Built from code, then overridden by the environment
/// and the command line (see ``resolve(arguments:environment:)``).
public struct AgentRuntimeConfiguration: Sendable {
    /// The Kafka cluster, and whether it is AgentBus's embedded cluster (whose clients get its
    /// tuned settings).
    public var brokers: BrokerEndpoint
    /// This instance's name in heartbeats, activity records and dead letters. Default:
    /// `<host>-<pid>`.
    public var instanceID: String
    /// Overrides the agent's ``AgentPolicies/concurrency`` when set.
    public var concurrency: Int?
    public var schemas: SchemaDirectory
    /// Default: 5 s.
    public var heartbeatInterval: Duration
    /// On SIGTERM/SIGINT, how long in-flight handlers may take to finish before they are
    /// cancelled (and their events left to be read again). Default: 10 s.
    public var shutdownDeadline: Duration
    /// librdkafka properties for the agent's consumer and producers (`-X key=value`).
    public var properties: [String: String]
    /// How long activity records wait to be sent in batches (`linger.ms` of the producer that
    /// writes them). They are off the events' path: only the storing of offsets waits for
    /// them. Default: 20 ms.
    public var activityLinger: Duration = .milliseconds(20)
    /// The tracer of the instance's spans (a consumer span per handled event, a producer span
    /// per output; docs/tracing.md). Default: nil, which means `InstrumentationSystem.tracer`,
    /// read when the ``AgentRuntime`` is created: whatever tracer the process bootstrapped,
    /// else the `NoOpTracer`, with which no span is made and events carry the runtime's own
    /// `traceparent`. Set it to trace one runtime differently from the process (tests do).
    public var tracer: (any Tracer)?

    public init(
        brokers: BrokerEndpoint = BrokerEndpoint.resolve(brokers: nil), instanceID: String = Self.defaultInstanceID(),
        concurrency: Int? = nil, schemas: SchemaDirectory = SchemaDirectory.resolve(flag: nil),
        heartbeatInterval: Duration = .seconds(5), shutdownDeadline: Duration = .seconds(10),
        properties: [String: String] = [:]
    ) {
        self.brokers = brokers
        self.instanceID = instanceID
        self.concurrency = concurrency
        self.schemas = schemas
        self.heartbeatInterval = heartbeatInterval
        self.shutdownDeadline = shutdownDeadline
        self.properties = properties
    }

    public static func defaultInstanceID() -> String {
        "\(ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host")-\(getpid())"
    }

    /// The consumer: the agent's group, and the embedded cluster's settings when that is where
    /// it runs.
    func consumerConfiguration(group: String) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers.bootstrapServers, groupID: group, clientID: "\(group)-\(instanceID)")
        if brokers.isEmbeddedCluster { configuration.tuneForEmbeddedCluster() }
        // A subscribed topic created after the agent started (its retry topic, say) is noticed at
        // the next metadata refresh; librdkafka's default of 5 minutes is too long for that.
        configuration.properties["topic.metadata.refresh.interval.ms"] = "10000"
        configuration.properties.merge(properties) { $1 }
        return configuration
    }

    /// The producer of events, retries and dead letters: idempotent, and no linger, since an
    /// agent hop's latency is the product.
    func producerConfiguration(agent: String) -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(
            bootstrapServers: brokers.bootstrapServers, clientID: "\(agent)-\(instanceID)", linger: .zero,
            properties: properties)
    }

    /// The producer of activity records: batched, since nothing downstream waits for them.
    func activityProducerConfiguration(agent: String) -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(
            bootstrapServers: brokers.bootstrapServers, clientID: "\(agent)-\(instanceID)-activity",
            linger: activityLinger, properties: properties)
    }
}

extension AgentRuntimeConfiguration {
    /// The usage text of an agent executable.
    public static func usage(agent: String) -> String {
        """
        USAGE: \(agent) [--brokers <brokers>] [--bootstrap-file <file>] [--instance-id <id>] [--concurrency <n>]
                   [--schemas <dir>] [--heartbeat-interval <seconds>] [--shutdown-deadline <seconds>] [-X <key=value> ...]

        Runs one instance of the \(agent) agent until SIGTERM or SIGINT. Run more instances to share the work.

        OPTIONS:
          --brokers <brokers>     Kafka bootstrap servers, HOST:PORT[,...]. Default: $AGENTBUS_BROKERS, then a
                                  running dev-broker, then localhost:9092.
          --bootstrap-file <file> Read the brokers from this dev-broker bootstrap file.
          --instance-id <id>      This instance's name. Default: $AGENTBUS_INSTANCE_ID, then <host>-<pid>.
          --concurrency <n>       Most handlers running at once. Default: $AGENTBUS_CONCURRENCY, then the agent's policy.
          --schemas <dir>         The schema catalog. Default: $AGENTBUS_SCHEMAS, then ./schemas.
          --heartbeat-interval <seconds>  Default: $AGENTBUS_HEARTBEAT_INTERVAL, then 5.
          --shutdown-deadline <seconds>   Time in-flight handlers get on SIGTERM. Default: 10.
          -X, --property <key=value>      A librdkafka property for the agent's clients (repeatable).
          -h, --help              Show this help.
        """
    }

    /// What the command line asked for.
    public enum Request: Sendable {
        case run(AgentRuntimeConfiguration)
        case help
    }

    /// Reads the flags in ``usage(agent:)``; flags win over the environment, which wins over
    /// the defaults.
    ///
    /// - Throws: ``AgentConfigurationError`` naming the flag or variable at fault.
    public static func resolve(
        arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> Request {
        var flags: [String: String] = [:]
        var properties: [String: String] = [:]
        var index = 0
        let valued: Set<String> = [
            "--brokers", "--bootstrap-file", "--instance-id", "--concurrency", "--schemas", "--heartbeat-interval",
            "--shutdown-deadline", "-X", "--property",
        ]
        while index < arguments.count {
            var argument = arguments[index]
            var value: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                value = String(argument[argument.index(after: equals)...])
                argument = String(argument[..<equals])
            }
            if argument == "-h" || argument == "--help" { return .help }
            guard valued.contains(argument) else {
                throw AgentConfigurationError("unknown option \(argument) (see --help)")
            }
            if value == nil {
                index += 1
                guard index < arguments.count else { throw AgentConfigurationError("\(argument) needs a value") }
                value = arguments[index]
            }
            if argument == "-X" || argument == "--property" {
                guard let value, let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                    throw AgentConfigurationError("\(argument) takes key=value, got \"\(value ?? "")\"")
                }
                properties[String(value[..<equals])] = String(value[value.index(after: equals)...])
            } else {
                flags[argument] = value
            }
            index += 1
        }

        var configuration = AgentRuntimeConfiguration(
            brokers: BrokerEndpoint.resolve(
                brokers: flags["--brokers"], devBrokerFile: flags["--bootstrap-file"].map(DevBrokerFile.init(path:)),
                environment: environment),
            schemas: SchemaDirectory.resolve(flag: flags["--schemas"], environment: environment),
            properties: properties)
        if let id = flags["--instance-id"] ?? environment["AGENTBUS_INSTANCE_ID"], !id.isEmpty {
            configuration.instanceID = id
        }
        if let text = flags["--concurrency"] ?? environment["AGENTBUS_CONCURRENCY"] {
            guard let value = Int(text), value >= 1 else {
                throw AgentConfigurationError("concurrency must be a whole number of at least 1, got \"\(text)\"")
            }
            configuration.concurrency = value
        }
        if let text = flags["--heartbeat-interval"] ?? environment["AGENTBUS_HEARTBEAT_INTERVAL"] {
            configuration.heartbeatInterval = try seconds(text, "heartbeat interval")
        }
        if let text = flags["--shutdown-deadline"] {
            configuration.shutdownDeadline = try seconds(text, "shutdown deadline")
        }
        return .run(configuration)
    }

    private static func seconds(_ text: String, _ what: String) throws(AgentConfigurationError) -> Duration {
        guard let value = Double(text), value > 0, value < 86_400 else {
            throw AgentConfigurationError("\(what) must be a number of seconds above 0, got \"\(text)\"")
        }
        return .milliseconds(Int64(value * 1000))
    }
}
