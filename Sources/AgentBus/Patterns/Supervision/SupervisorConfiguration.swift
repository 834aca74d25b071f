import Kafka

/// How a ``Supervisor`` runs. Default: every value as documented on it.
public struct SupervisorConfiguration: Sendable {
    /// The supervisor's agent name: in its heartbeats (so a supervisor above it watches it
    /// like any agent), its registry record, and its alerts' `supervisor` and `ce_source`.
    /// Default: `supervisor`.
    public var name: String = "supervisor"
    /// Default: `<host>-<pid>`.
    public var instanceID: String = AgentRuntimeConfiguration.defaultInstanceID()
    public var brokers: BrokerEndpoint
    /// The catalog; it must hold ``SupervisorAlert/eventType``.
    public var schemas: SchemaDirectory
    /// librdkafka properties for every client, winning over AgentBus's.
    public var properties: [String: String]
    /// How often the rules are judged, and the supervisor's own heartbeat interval. Default: 5 s.
    public var interval: Duration = .seconds(5)
    public var thresholds = SupervisorThresholds()
    /// Default: ``StalledWorkflowPolicy/alert``.
    public var stalledPolicy: StalledWorkflowPolicy = .alert
    /// How far back the supervisor starts reading when it starts (and a dead-letter topic it
    /// discovers later is read from its beginning). At least the dead-letter window and the stall
    /// deadline are read whatever this says. Default: 15 minutes.
    public var lookback: Duration = .seconds(900)
    /// How often the cluster's topics are listed again to find new `<agent>.dlt` topics.
    /// Default: 30 s.
    public var topicRefreshInterval: Duration = .seconds(30)

    public init(brokers: BrokerEndpoint, schemas: SchemaDirectory, properties: [String: String] = [:]) {
        self.brokers = brokers
        self.schemas = schemas
        self.properties = properties
    }

    /// What is read at start: the lookback, widened to the windows the rules look at.
    var effectiveLookback: Duration {
        max(lookback, thresholds.deadLetterWindow, thresholds.terminalTypes.isEmpty ? .zero : thresholds.stallAfter)
    }

    func consumerConfiguration() -> KafkaConsumerConfiguration {
        // A group of its own that never commits: the supervisor reads with assign() and keeps no
        // offsets, so every start reads the lookback again.
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers.bootstrapServers, groupID: "\(name)-\(instanceID)-reader",
            clientID: "\(name)-\(instanceID)")
        if brokers.isEmbeddedCluster { configuration.tuneForEmbeddedCluster() }
        configuration.properties["enable.auto.commit"] = "false"
        configuration.properties.merge(properties) { $1 }
        return configuration
    }

    func producerConfiguration() -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(
            bootstrapServers: brokers.bootstrapServers, clientID: "\(name)-\(instanceID)", linger: .zero,
            properties: properties)
        if brokers.isEmbeddedCluster { configuration.tuneForEmbeddedCluster() }
        return configuration
    }

    func adminConfiguration() -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: brokers.bootstrapServers, properties: properties)
    }
}
