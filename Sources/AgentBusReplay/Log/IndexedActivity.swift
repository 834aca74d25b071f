import AgentBus

/// One `agentbus.activity` record, as symbols and numbers.
struct IndexedActivity: Sendable {
    var agent: Int32
    var instance: Int32
    /// The handled event's `ce_id`; ``ReplaySymbols/none`` when the record was not a readable event.
    var event: Int32
    var correlation: Int32
    var outcome: ActivityRecord.Outcome
    var failureClass: FailureClass?
    var attempts: Int32
    var receivedAt: Int64
    var startedAt: Int64
    var finishedAt: Int64
    /// The IDs it published: `ReplayIndex.published[publishedStart ..< publishedStart + publishedCount]`.
    var publishedStart: Int32
    var publishedCount: Int32
    /// The model calls it lists: `ReplayIndex.modelCalls[modelCallStart ..< modelCallStart + modelCallCount]`.
    var modelCallStart: Int32
    var modelCallCount: Int32
    var error: Int32
    /// Where the handled record was read.
    var topic: Int32
    var partition: Int32
    var offset: Int64
    var record: Int32
}
