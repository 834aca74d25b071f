/// How the runtime delivers events to an agent's handlers.
public struct AgentPolicies: Sendable, Hashable {
    public enum Ordering: Sendable, Hashable {
        /// One event at a time per partition, in offset order. The default.
        case partition
        /// Events with different keys of one partition run concurrently, up to `maxInFlight` per
        /// partition; events with the same key stay in order. Offsets are stored only up to the
        /// lowest unfinished event.
        case key(maxInFlight: Int)
    }

    /// Most handlers running at once in one instance, across its partitions. Default: 64.
    /// Overridden by `--concurrency` and `AGENTBUS_CONCURRENCY`.
    public var concurrency: Int
    /// Default: `.partition`.
    public var ordering: Ordering
    /// Default: ``RetryPolicy/init(inPlaceAttempts:initialBackoff:maxBackoff:retryTopicDelays:)``.
    public var retry: RetryPolicy
    /// How long one attempt may run; past it the handler is cancelled and the attempt counts as a
    /// transient failure. Default: 30 s.
    public var handlerDeadline: Duration
    /// Events deeper than this in their workflow (`agentbus_hops`) are dead-lettered with class
    /// `budget`: a guard against agents triggering each other in a loop. Default: 32.
    public var hopLimit: Int
    /// Events handled within this window (same `ce_source` and `ce_id`) are skipped as duplicates;
    /// the window keeps at most `dedupeCapacity` IDs. Default: 10 minutes, 100,000 IDs.
    public var dedupeWindow: Duration
    public var dedupeCapacity: Int
    /// Events read ahead per partition (queued or awaiting acknowledgement) before the partition
    /// is paused. Default: 1,000.
    public var maxBufferedPerPartition: Int
    /// Events of workflows that have spent more than this (`agentbus_cost`, see
    /// ``HandlerContext/addCost(_:)``) are dead-lettered with class `budget`, whatever the
    /// workflow's own ``WorkflowBudget`` says. Default: none.
    public var maxWorkflowCost: Double?
    /// A workflow started by an event this agent handles (a root) without a deadline gets one
    /// this long after the root's time, carried by every event it causes. Default: none.
    public var workflowTimeLimit: Duration?
    /// The largest effect result (JSON) a journal record may hold; a larger one fails its
    /// handling with a ``EffectError`` naming the limit. Keep it below the brokers'
    /// `message.max.bytes` (1 MB by default). Default: 900,000 bytes.
    public var maxJournalEntryBytes: Int = 900_000
    /// How much of the effect journal an instance keeps in memory; past it the oldest entries
    /// are dropped from memory (see ``EffectJournal``). Default: 64 MiB.
    public var journalMemoryLimit: Int = 64 << 20
    /// How long one event may wait in all for providers that answered 429 (``ModelError`` of
    /// kind `rateLimited`): such a failure is retried after the provider's `Retry-After`
    /// without counting against ``retry`` (the attempt made again keeps its number), until
    /// this is used up. Default: 10 minutes.
    public var maxThrottleWait: Duration = .seconds(600)

    public init(
        concurrency: Int = 64, ordering: Ordering = .partition, retry: RetryPolicy = RetryPolicy(),
        handlerDeadline: Duration = .seconds(30), hopLimit: Int = 32, dedupeWindow: Duration = .seconds(600),
        dedupeCapacity: Int = 100_000, maxBufferedPerPartition: Int = 1_000, maxWorkflowCost: Double? = nil,
        workflowTimeLimit: Duration? = nil
    ) {
        self.maxWorkflowCost = maxWorkflowCost
        self.workflowTimeLimit = workflowTimeLimit
        self.concurrency = max(1, concurrency)
        self.ordering = ordering
        self.retry = retry
        self.handlerDeadline = handlerDeadline
        self.hopLimit = hopLimit
        self.dedupeWindow = dedupeWindow
        self.dedupeCapacity = dedupeCapacity
        self.maxBufferedPerPartition = max(1, maxBufferedPerPartition)
    }
}
