import AgentBus

/// What one agent instance did with one event, from its activity record.
public struct ReplayHandling: Sendable {
    public var agent: String
    public var instance: String
    public var outcome: ActivityRecord.Outcome
    /// When the runtime read the record, started the first attempt and finished, in
    /// milliseconds since 1970.
    public var receivedAt: Int64
    public var startedAt: Int64
    public var finishedAt: Int64
    public var attempts: Int
    /// The `ce_id`s the handler published.
    public var published: [String]
    public var failureClass: FailureClass?
    public var error: String?
    /// The model calls the handling made or got from its effect journal (``ModelCallRecord/replayed``),
    /// in the order they ended. A journaled call shows up again in every later handling of the
    /// same event by the same agent that replays it; ``ReplayWorkflow/modelTotals`` counts it once.
    public var modelCalls: [ModelCallRecord]

    package init(
        agent: String, instance: String, outcome: ActivityRecord.Outcome, receivedAt: Int64, startedAt: Int64,
        finishedAt: Int64, attempts: Int, published: [String], failureClass: FailureClass?, error: String?,
        modelCalls: [ModelCallRecord] = []
    ) {
        self.agent = agent
        self.instance = instance
        self.outcome = outcome
        self.receivedAt = receivedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.attempts = attempts
        self.published = published
        self.failureClass = failureClass
        self.error = error
        self.modelCalls = modelCalls
    }

    /// Milliseconds the handling took, first attempt to finish.
    public var processing: Int64 { finishedAt - startedAt }
}
