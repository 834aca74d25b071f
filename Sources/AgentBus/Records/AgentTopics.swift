/// The topics AgentBus uses besides the event topics the schema catalog names.
///
/// Retry and dead-letter topics are per agent, not per source topic: when several agents consume
/// one topic, only the agent that failed sees its retried or redriven events.
public enum AgentTopics {
    /// `<agent>.retry.<delay>`: the agent's private inbox for retries due `delay` after they
    /// failed, one topic per delay tier (`credit-check.retry.10s`, `credit-check.retry.1500ms`).
    ///
    /// Every record of one tier has the same delay, so the order records arrive in is the order
    /// they fall due, and a retry waiting for its due time holds back none due earlier. The
    /// delay is named in whole seconds when it is one, else in milliseconds (rounded down);
    /// delays that name the same topic share it.
    public static func retry(of agent: String, delay: Duration) -> String {
        "\(agent)\(retryInfix)\(retryDelayName(delay))"
    }

    /// A retry delay as its tier's topic names it: `10s`, `1500ms`.
    package static func retryDelayName(_ delay: Duration) -> String {
        let milliseconds = max(0, delay.wholeMilliseconds)
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    /// The retry topics of `agent` for `delays` (``RetryPolicy/retryTopicDelays``): one per
    /// distinct tier, shortest delay first. With no delays, the `0s` tier alone: every agent
    /// reads at least one retry topic, where `agentbus dlt redrive` sends its dead letters.
    public static func retryTiers(of agent: String, delays: [Duration]) -> [String] {
        let milliseconds = delays.isEmpty ? [0] : Set(delays.map { max(0, $0.wholeMilliseconds) }).sorted()
        return milliseconds.map { retry(of: agent, delay: .milliseconds($0)) }
    }

    /// The agent and delay of a retry topic named by ``retry(of:delay:)``; nil for any other
    /// name (an event topic, a dead-letter topic, a name not spelled the way AgentBus spells it).
    public static func retryTier(_ topic: String) -> (agent: String, delay: Duration)? {
        // An agent name has no dot, so its topics' first dot ends it.
        guard let dot = topic.firstIndex(of: "."), topic[dot...].hasPrefix(retryInfix) else { return nil }
        let agent = String(topic[..<dot])
        let text = topic[dot...].dropFirst(retryInfix.count)
        let isMilliseconds = text.hasSuffix("ms")
        guard let number = Int64(text.dropLast(isMilliseconds ? 2 : 1)), number >= 0, number < Int64.max / 1000,
            problem(withAgentName: agent) == nil
        else { return nil }
        let delay = Duration.milliseconds(isMilliseconds ? number : number * 1000)
        // Only the spelling AgentBus produces (`10s`, not `10000ms`, `010s` or `+10s`).
        return retry(of: agent, delay: delay) == topic ? (agent, delay) : nil
    }

    private static let retryInfix = ".retry."

    /// `<agent>.dlt`: the agent's dead letters.
    public static func deadLetter(of agent: String) -> String { "\(agent).dlt" }
    /// One ``ActivityRecord`` per handled event, keyed by correlation ID.
    public static let activity = "agentbus.activity"
    /// One ``Heartbeat`` per instance every few seconds, keyed by `<agent>/<instance>`.
    public static let heartbeats = "agentbus.heartbeats"
    /// One ``RegistryRecord`` per agent, keyed by agent name (compacted on real Kafka).
    public static let registry = "agentbus.registry"
    /// Control events every instance of every agent follows, such as a workflow's cancellation
    /// (``WorkflowControl``), keyed by correlation ID.
    public static let control = "agentbus.control"
    /// The runtime topics, in the order `topics create` lists them.
    public static let runtime = [activity, heartbeats, registry, control]

    /// `<agent>.timers`: the agent's durable timers, keyed by timer ID; a tombstone cancels or
    /// retires one. Compacted on real Kafka.
    public static func timers(of agent: String) -> String { "\(agent).timers" }
    /// `<agent>.state`: the changelog of the agent's keyed state, keyed by state key; a
    /// tombstone deletes a key. Compacted on real Kafka.
    public static func state(of agent: String) -> String { "\(agent).state" }
    /// `<agent>.journal`: the agent's effect journal, keyed `<event ID>/<effect name>`: the
    /// recorded result of every effect, and a marker per event handled. Compacted on real Kafka,
    /// with a retention (`topics create --journal-retention`) so it does not grow for ever.
    public static func journal(of agent: String) -> String { "\(agent).journal" }
    /// The topics of `agent` that are not its retry tiers: dead letters, timers, state and journal.
    public static func owned(by agent: String) -> [String] {
        [deadLetter(of: agent), timers(of: agent), state(of: agent), journal(of: agent)]
    }

    /// Whether `topic` is an agent's timers, state or journal: the runtime's bookkeeping, not events.
    public static func isAgentBookkeeping(_ topic: String) -> Bool {
        topic.hasSuffix(".timers") || topic.hasSuffix(".state") || topic.hasSuffix(".journal")
    }

    /// Whether `topic` keeps only the latest record per key (`cleanup.policy=compact` on real
    /// Kafka): the registry, and every agent's timers, state and journal.
    public static func isCompacted(_ topic: String) -> Bool {
        topic == registry || isAgentBookkeeping(topic)
    }
    /// The runtime topics an agent's runtime writes to: its activity records, heartbeats and
    /// registry record. (`agentbus.control` is written by `agentbus cancel`, and only read by agents.)
    public static let writtenByAgents = [activity, heartbeats, registry]

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
