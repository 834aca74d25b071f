import ArgumentParser
import Foundation
import JSONSchema

/// How a program finds and talks to Kafka: `--brokers`, `--bootstrap-file` and
/// `-X/--property key=value`, the same flags on every `agentbus` command that connects and on
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

    public init() {}

    /// Checks every `-X` when the command line is parsed, so a bad one is a usage error.
    public func validate() throws {
        _ = try librdkafkaProperties()
    }

    /// The brokers, resolved against `environment`.
    public func endpoint(environment: [String: String]) -> BrokerEndpoint {
        BrokerEndpoint.resolve(
            brokers: brokers, devBrokerFile: bootstrapFile.map(DevBrokerFile.init(path:)), environment: environment)
    }

    /// The brokers, resolved against the process's environment.
    public var endpoint: BrokerEndpoint { endpoint(environment: ProcessInfo.processInfo.environment) }

    /// The `-X` properties by key (the last of a repeated key wins).
    ///
    /// - Throws: `ValidationError` `-X takes key=value, got "..."`.
    public func librdkafkaProperties() throws(ValidationError) -> [String: String] {
        var result: [String: String] = [:]
        for property in properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("-X takes key=value, got \"\(property.oneLine)\"")
            }
            result[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        return result
    }
}
