/// Connection settings shared by tools that neither produce nor consume, such as ``KafkaAdmin``.
public struct KafkaClientConfiguration: Sendable {
    /// Brokers to bootstrap from, as `host:port`. Required.
    public var bootstrapServers: [String]
    /// Default: `"agentbus"`.
    public var clientID: String
    /// Default: plaintext.
    public var security: KafkaSecurity
    /// Any librdkafka property, applied after (and so overriding) the fields above.
    public var properties: [String: String]

    public init(
        bootstrapServers: [String], clientID: String = "agentbus", security: KafkaSecurity = .plaintext,
        properties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.security = security
        self.properties = properties
    }
}
