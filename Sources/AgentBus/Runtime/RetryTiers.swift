import Kafka

/// An agent's retry topics, one per delay tier of its ``RetryPolicy`` (see
/// ``AgentTopics/retry(of:delay:)``): where a retry goes, and which records read are retries.
struct RetryTiers: Sendable {
    let agent: String
    /// Shortest delay first.
    let topics: [String]

    init(agent: String, policy: RetryPolicy) {
        self.agent = agent
        self.topics = AgentTopics.retryTiers(of: agent, delays: policy.retryTopicDelays)
    }

    /// Whether `topic` is one of the tiers. Called for every record read: a few string
    /// comparisons (usually one or two tiers), cheaper than hashing the name for a set.
    func contains(_ topic: String) -> Bool { topics.contains(topic) }

    /// The tier of a retry due `delay` after it failed.
    func topic(for delay: Duration) -> String { AgentTopics.retry(of: agent, delay: delay) }

}
