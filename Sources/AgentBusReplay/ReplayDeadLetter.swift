import AgentBus

/// One record of an event in an agent's dead-letter topic.
public struct ReplayDeadLetter: Sendable {
    /// The agent that gave up (`agentbus_agent`, else the DLT's name).
    public var agent: String
    public var failureClass: FailureClass?
    /// The one-line reason (`kafka_dlt-exception-message`).
    public var reason: String
    public var attempts: Int?
    /// When it was dead-lettered, in milliseconds since 1970 (the DLT record's timestamp).
    public var failedAt: Int64
    /// Where the dead letter sits.
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// True when the same agent later handled the event successfully (after `dlt redrive`).
    public var resolved: Bool

    package init(
        agent: String, failureClass: FailureClass?, reason: String, attempts: Int?, failedAt: Int64, topic: String,
        partition: Int32, offset: Int64, resolved: Bool
    ) {
        self.agent = agent
        self.failureClass = failureClass
        self.reason = reason
        self.attempts = attempts
        self.failedAt = failedAt
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.resolved = resolved
    }
}
