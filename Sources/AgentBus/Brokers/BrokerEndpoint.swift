import Foundation

/// Where the Kafka brokers are, and how that was decided.
///
/// Every AgentBus command and agent resolves brokers the same way: `--brokers`, then
/// `$AGENTBUS_BROKERS`, then the bootstrap file of a running `agentbus dev-broker`, then
/// `localhost:9092`.
public struct BrokerEndpoint: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        case flag
        case environment
        case devBroker(path: String)
        case fallback
    }

    public let bootstrapServers: [String]
    public let source: Source

    public init(bootstrapServers: [String], source: Source) {
        self.bootstrapServers = bootstrapServers
        self.source = source
    }

    /// True when the brokers are AgentBus's embedded cluster, whose clients need tuned settings.
    public var isEmbeddedCluster: Bool {
        if case .devBroker = source { return true }
        return false
    }

    /// Resolves the brokers: `brokers` (a `--brokers` value), then `$AGENTBUS_BROKERS` in
    /// `environment`, then a running dev broker's well-known bootstrap file, then `localhost:9092`.
    public static func resolve(
        brokers: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> BrokerEndpoint {
        resolve(brokers: brokers, devBrokerFile: nil, environment: environment)
    }

    /// Resolves the brokers as above; a `devBrokerFile` (`--bootstrap-file`) overrides both the
    /// environment and the well-known bootstrap file.
    package static func resolve(
        brokers: String?, devBrokerFile: DevBrokerFile?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> BrokerEndpoint {
        if let brokers, !brokers.isEmpty { return BrokerEndpoint(bootstrapServers: split(brokers), source: .flag) }
        if devBrokerFile == nil, let value = environment["AGENTBUS_BROKERS"], !value.isEmpty {
            return BrokerEndpoint(bootstrapServers: split(value), source: .environment)
        }
        let file = devBrokerFile ?? .wellKnown
        if let contents = file.read() {
            return BrokerEndpoint(bootstrapServers: split(contents.bootstrapServers), source: .devBroker(path: file.path))
        }
        return BrokerEndpoint(bootstrapServers: ["localhost:9092"], source: .fallback)
    }

    public var sourceDescription: String {
        switch source {
        case .flag: "--brokers"
        case .environment: "AGENTBUS_BROKERS"
        case .devBroker(let path): "the dev-broker file \(path)"
        case .fallback: "the default (no --brokers, AGENTBUS_BROKERS or running dev-broker)"
        }
    }

    private static func split(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
