/// A topic to create.
public struct KafkaTopicSpecification: Sendable, Hashable {
    public var name: String
    /// Default: 1.
    public var partitions: Int
    /// Default: 1 (a production cluster wants 3).
    public var replicationFactor: Int
    /// Topic configs, such as `cleanup.policy=compact` or `retention.ms`. Default: none.
    public var configs: [String: String]

    public init(name: String, partitions: Int = 1, replicationFactor: Int = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// What creating one topic did.
public enum KafkaTopicCreationResult: Sendable, Hashable {
    case created(String)
    case alreadyExists(String)
}

/// What the cluster knows about a topic.
public struct KafkaTopicMetadata: Sendable, Hashable {
    public let name: String
    public let partitionCount: Int
}
