import ArgumentParser
import Foundation
import JSONSchema
import Kafka

/// How a program finds and talks to Kafka: `--brokers`, `--bootstrap-file`, `--kafka-config FILE`
/// and `-X/--property key=value`, the same flags on every `agentbus` command that connects and on
/// every agent (through ``AgentOptions``).
///
/// Brokers resolve as ``BrokerEndpoint/resolve(brokers:devBrokerFile:environment:)`` says:
/// `--brokers`, then `$AGENTBUS_BROKERS`, then a running dev-broker, then `localhost:9092`.
public struct ConnectionOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp(
        "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]. Default: $AGENTBUS_BROKERS, then a running dev-broker, then localhost:9092.",
        valueName: "brokers"))
    public var brokers: String?

    @Option(name: .long, help: ArgumentHelp(
        "Read the brokers from this dev-broker bootstrap file, not the running dev-broker's ($AGENTBUS_DEV_BROKER_FILE, else its well-known place).",
        valueName: "file"))
    public var bootstrapFile: String?

    @Option(name: [.customShort("X"), .customLong("property")], help: ArgumentHelp(
        "A librdkafka property, as key=value (repeatable); wins over AgentBus's settings.", valueName: "key=value"))
    public var properties: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "A file of librdkafka properties, key=value a line (# comments): SASL and TLS settings, say. -X wins over it. Default: $AGENTBUS_KAFKA_CONFIG, then none.",
        valueName: "file"))
    public var kafkaConfig: String?

    public init() {}

    /// Checks every `-X` and the `--kafka-config` file when the command line is parsed, so a bad
    /// one is a usage error.
    public func validate() throws {
        _ = try librdkafkaProperties(environment: [:])
    }

    /// The brokers, resolved against `environment`.
    public func endpoint(environment: [String: String]) -> BrokerEndpoint {
        BrokerEndpoint.resolve(
            brokers: brokers, devBrokerFile: bootstrapFile.map(DevBrokerFile.init(path:)), environment: environment)
    }

    /// The brokers, resolved against the process's environment.
    public var endpoint: BrokerEndpoint { endpoint(environment: ProcessInfo.processInfo.environment) }

    /// The librdkafka properties given: those of the `--kafka-config` file (else of
    /// `$AGENTBUS_KAFKA_CONFIG` in `environment`), then every `-X`, which wins (the last of a
    /// repeated key wins).
    ///
    /// - Throws: `ValidationError` `-X takes key=value, got "..."`, or the file's problem in one
    ///   line (`cannot read the Kafka properties file ...`, `client.properties:3: expected key=value ...`).
    public func librdkafkaProperties(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ValidationError) -> [String: String] {
        var result: [String: String] = [:]
        if let path = kafkaConfig ?? environment["AGENTBUS_KAFKA_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            do { result = try KafkaPropertiesFile.load(path: path) } catch { throw ValidationError(error.description) }
        }
        for property in properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("-X takes key=value, got \"\(property.oneLine)\"")
            }
            result[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        return result
    }
}
