/// What one agent instance did with one event: written to `agentbus.activity` for every
/// event it handled, so replay can show consumers, including sinks that publish nothing.
public struct ActivityRecord: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        /// The handler succeeded; its outputs were published.
        case ok
        /// The handler failed and the event went to `<agent>.retry` for a later attempt.
        case retried
        /// The handler failed for good (attempts used up, or a non-retryable error); the event is
        /// in `<agent>.dlt`.
        case deadLettered = "dead-lettered"
        /// The event was handled before (same `ce_source` and `ce_id`, within the dedupe window)
        /// and was skipped.
        case duplicate
        /// The event was refused before any handler ran (poison, schema or budget) and is in
        /// `<agent>.dlt`.
        case rejected
        /// The event's workflow was cancelled (`agentbus cancel`): its handler did not run, or
        /// was cancelled while running; nothing it published was sent.
        case cancelled
    }

    public var agent: String
    public var instance: String
    /// `ce_id`; nil when the record was not a readable event (poison).
    public var eventId: String?
    public var type: String?
    public var source: String?
    public var correlationId: String?
    public var causationId: String?
    /// Where the event was read (the event topic, or `<agent>.retry`).
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// When the runtime read the record, started the first attempt, and finished (all in ms since 1970).
    public var receivedAt: Int64
    public var startedAt: Int64
    public var finishedAt: Int64
    public var outcome: Outcome
    /// Handler attempts, counting earlier ones through the retry topic; attempts a provider's
    /// 429 ended, waited out by the runtime, are not counted.
    public var attempts: Int
    /// The `ce_id`s of the events the handler published, in order.
    public var published: [String]
    public var failureClass: FailureClass?
    /// One line; nil on success.
    public var error: String?
    /// The model calls of the attempt that finished, in the order they ended (replayed ones too).
    public var modelCalls: [ModelCallRecord]

    public init(
        agent: String, instance: String, eventId: String?, type: String?, source: String?, correlationId: String?,
        causationId: String?, topic: String, partition: Int32, offset: Int64, receivedAt: Int64, startedAt: Int64,
        finishedAt: Int64, outcome: Outcome, attempts: Int, published: [String], failureClass: FailureClass?,
        error: String?, modelCalls: [ModelCallRecord] = []
    ) {
        self.agent = agent
        self.instance = instance
        self.eventId = eventId
        self.type = type
        self.source = source
        self.correlationId = correlationId
        self.causationId = causationId
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.receivedAt = receivedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.attempts = attempts
        self.published = published
        self.failureClass = failureClass
        self.error = error
        self.modelCalls = modelCalls
    }
}
