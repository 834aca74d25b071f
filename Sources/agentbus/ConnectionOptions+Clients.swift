import AgentBus
import AgentBusReplay
import Kafka
import Logging

/// The Kafka clients of a command, from its connection flags (AgentBus's ``ConnectionOptions``,
/// shared with every agent).
extension ConnectionOptions {
    func producerConfiguration() throws -> KafkaProducerConfiguration {
        let endpoint = endpoint
        var configuration = KafkaProducerConfiguration(
            bootstrapServers: endpoint.bootstrapServers, properties: try librdkafkaProperties())
        if endpoint.isEmbeddedCluster { configuration.tuneForEmbeddedCluster() }
        return configuration
    }

    func consumerConfiguration(group: String) throws -> KafkaConsumerConfiguration {
        let endpoint = endpoint
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: endpoint.bootstrapServers, groupID: group, properties: try librdkafkaProperties())
        if endpoint.isEmbeddedCluster { configuration.tuneForEmbeddedCluster() }
        return configuration
    }

    func adminConfiguration() throws -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: endpoint.bootstrapServers, properties: try librdkafkaProperties())
    }

    /// Reads topics from the beginning to their current end without joining or committing for
    /// any group (a throwaway group ID, as `tail` uses).
    func snapshotReader(logger: Logger, timeout: Duration = .seconds(30)) throws -> TopicSnapshotReader {
        TopicSnapshotReader(
            consumerConfiguration: try consumerConfiguration(group: "agentbus-snapshot"), timeout: timeout, logger: logger)
    }

    /// A logger that stays silent: librdkafka's own log lines would bury a command's one-line
    /// error, and failures arrive as errors anyway.
    static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }
}
