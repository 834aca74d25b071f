/// The topics AgentBus uses besides the event topics the schema catalog names.
///
/// Retry and dead-letter topics are per agent, not per source topic: when several agents consume
/// one topic, only the agent that failed sees its retried or redriven events.
public enum AgentTopics {
    /// `<agent>.retry`: the agent's private inbox for delayed retries and redriven dead letters.
    public static func retry(of agent: String) -> String { "\(agent).retry" }
    /// `<agent>.dlt`: the agent's dead letters.
    public static func deadLetter(of agent: String) -> String { "\(agent).dlt" }
    /// One ``ActivityRecord`` per handled event, keyed by correlation ID.
    public static let activity = "agentbus.activity"
    /// One ``Heartbeat`` per instance every few seconds, keyed by `<agent>/<instance>`.
    public static let heartbeats = "agentbus.heartbeats"
    /// One ``RegistryRecord`` per agent, keyed by agent name (compacted on real Kafka).
    public static let registry = "agentbus.registry"
    /// The runtime topics, in the order `topics create` lists them.
    public static let runtime = [activity, heartbeats, registry]
    /// Every topic the runtime of `agent` writes to besides the topics of its declared output
    /// types: its retry and dead-letter topics and the runtime topics. Its producers look these
    /// up before it reports itself started, so its first retry or heartbeat is not held back.
    public static func written(by agent: String) -> [String] { [retry(of: agent), deadLetter(of: agent)] + runtime }

    /// Why `name` cannot name an agent, or nil when it can. An agent's name is its consumer group
    /// and the prefix of its topics: lowercase letters, digits and `-`, starting with a letter,
    /// at most 100 characters.
    package static func problem(withAgentName name: String) -> String? {
        guard let first = name.utf8.first else { return "an agent name cannot be empty" }
        guard name.utf8.count <= 100 else { return "agent name \"\(name)\" is longer than 100 characters" }
        guard first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z") else {
            return "agent name \"\(name)\" must start with a lowercase letter"
        }
        for byte in name.utf8 {
            let ok = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            if !ok { return "agent name \"\(name)\" may hold only lowercase letters, digits and -" }
        }
        return nil
    }
}
