import Foundation
import Kafka
import Tracing

/// Where and how an agent instance runs. An agent executable gets it from its command line and
/// environment (``AgentOptions/configuration(embeddedSchemas:environment:)``); code that runs an
/// ``AgentRuntime`` itself builds one.
public struct AgentRuntimeConfiguration: Sendable {
    /// The Kafka cluster, and whether it is AgentBus's embedded cluster (whose clients get its
    /// tuned settings).
    public var brokers: BrokerEndpoint
    /// This instance's name in heartbeats, activity records and dead letters. Default:
    /// `<host>-<pid>`.
    public var instanceID: String
    /// Overrides the agent's ``AgentPolicies/concurrency`` when set.
    public var concurrency: Int?
    /// The schema catalog. Default: `--schemas`'s resolution without a flag: `$AGENTBUS_SCHEMAS`,
    /// else `./schemas`.
    public var schemas: SchemaDirectory
    /// Default: 5 s.
    public var heartbeatInterval: Duration
    /// On SIGTERM/SIGINT, how long in-flight handlers may take to finish before they are
    /// cancelled (and their events left to be read again). Default: 10 s.
    public var shutdownDeadline: Duration
    /// When a rebalance takes partitions away, how long handlers already running on them may
    /// take to finish (and their outputs to be acknowledged) before the partitions are given up
    /// anyway; what is still running then is abandoned and its outputs dropped. The whole group
    /// waits for this, so keep it short. Default: 10 s.
    public var revokeDeadline: Duration = .seconds(10)
    /// How many handler attempts abandoned at their deadline may still be running (handlers
    /// that ignore cancellation) before the instance reports itself unhealthy. Default: 8.
    public var abandonedHandlerLimit = 8
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
    /// What models cost, for the cost of every model call (``HandlerContext/chat(_:using:name:journal:)``).
    /// Default: none (calls cost 0).
    public var modelPrices = ModelPrices()

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

    /// `<host>-<pid>`: the host name up to its first dot, and the process ID.
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
    /// agent hop's latency is the product; the embedded cluster's settings when that is where
    /// it runs.
    func producerConfiguration(agent: String) -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(
            bootstrapServers: brokers.bootstrapServers, clientID: "\(agent)-\(instanceID)", linger: .zero,
            properties: properties)
        if brokers.isEmbeddedCluster { configuration.tuneForEmbeddedCluster() }
        return configuration
    }

    /// The producer of activity records: batched, since nothing downstream waits for them.
    func activityProducerConfiguration(agent: String) -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(
            bootstrapServers: brokers.bootstrapServers, clientID: "\(agent)-\(instanceID)-activity",
            linger: activityLinger, properties: properties)
        if brokers.isEmbeddedCluster { configuration.tuneForEmbeddedCluster() }
        return configuration
    }
}
