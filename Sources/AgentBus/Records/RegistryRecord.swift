/// What an agent is: written to `agentbus.registry` (keyed by agent name) each time an instance
/// starts, so other agents and people can discover who consumes and produces what.
///
/// ``jsonBytes`` writes it and ``init(json:)`` reads it.
public struct RegistryRecord: Sendable, Hashable {
    public var agent: String
    public var version: String
    /// The event types it handles, and those it declares it publishes.
    public var consumes: [String]
    public var produces: [String]
    /// Free-form capability names, for discovery.
    public var capabilities: [String]
    /// The topics it reads: its event topics and its retry topics (one per delay tier).
    public var topics: [String]
    /// The instance that wrote this record, and when (ms since 1970).
    public var instance: String
    public var time: Int64

    public init(
        agent: String, version: String, consumes: [String], produces: [String], capabilities: [String],
        topics: [String], instance: String, time: Int64
    ) {
        self.agent = agent
        self.version = version
        self.consumes = consumes
        self.produces = produces
        self.capabilities = capabilities
        self.topics = topics
        self.instance = instance
        self.time = time
    }
}
