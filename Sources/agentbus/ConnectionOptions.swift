import AgentBus
import AgentBusReplay
import ArgumentParser
import Kafka
import Logging

/// How a command finds and talks to Kafka: the same flags on every command that connects.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]. Default: $AGENTBUS_BROKERS, then a running dev-broker, then localhost:9092.",
        valueName: "brokers"))
    var brokers: String?

    @Option(name: .long, help: ArgumentHelp("Read the brokers from this dev-broker bootstrap file.", valueName: "file"))
    var bootstrapFile: String?

    @Option(name: [.customShort("X"), .customLong("property")], help: ArgumentHelp(
        "A librdkafka property, as key=value (repeatable); wins over AgentBus's settings.", valueName: "key=value"))
    var properties: [String] = []

    var endpoint: BrokerEndpoint {
        BrokerEndpoint.resolve(brokers: brokers, devBrokerFile: bootstrapFile.map(DevBrokerFile.init(path:)))
    }

    func librdkafkaProperties() throws -> [String: String] {
        var result: [String: String] = [:]
        for property in properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("-X takes key=value, got \"\(property)\"")
            }
            result[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        return result
    }

    func producerConfiguration() throws -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(bootstrapServers: endpoint.bootstrapServers, properties: try librdkafkaProperties())
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
