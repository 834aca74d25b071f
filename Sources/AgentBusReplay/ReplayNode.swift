import AgentBus

/// One event of a workflow: where and when it was published, what caused it, and what the
/// agents that consume it did with it.
public struct ReplayNode: Sendable {
    /// `ce_id`.
    public var id: String
    /// `ce_type`.
    public var type: String
    /// `ce_source`.
    public var source: String
    /// The publishing agent's name when `source` is `/agents/<name>`; otherwise nil (the CLI, an
    /// external system).
    public var agent: String? {
        source.hasPrefix("/agents/") ? String(source.dropFirst("/agents/".count)) : nil
    }
    /// `ce_time` in milliseconds since 1970; the Kafka timestamp when the event has no `ce_time`.
    public var time: Int64
    /// Where the (first copy of the) event was read.
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// `agentbus_hops`.
    public var hops: Int
    /// `ce_causationid` as recorded; nil for a root.
    public var causationID: String?
    /// The causing node, when it is in the workflow. Nil for the root, and for an orphan (the
    /// cause is missing from what was read, or belongs to another workflow).
    public var parent: Int?
    /// Nodes caused by this one, earliest first.
    public var children: [Int]
    /// The W3C trace context the event carried.
    public var traceParent: TraceParent?
    /// One entry per activity record: each consuming agent's handling, in the order they finished.
    public var handlings: [ReplayHandling]
    /// The event's records in dead-letter topics.
    public var deadLetters: [ReplayDeadLetter]
    /// How many times the event passed through a retry topic.
    public var retries: Int
    /// Further copies of the event read with the same ID (a producer's retry, or outputs redone
    /// after a crash): identical copies are expected under at-least-once delivery.
    public var copies: Int
    /// Agents that, according to `agentbus.registry`, consume this type but left no record of
    /// handling this event.
    public var awaitedBy: [String]
    public var status: ReplayNodeStatus

    package init(
        id: String, type: String, source: String, time: Int64, topic: String, partition: Int32, offset: Int64,
        hops: Int, causationID: String?, parent: Int?, children: [Int], traceParent: TraceParent?,
        handlings: [ReplayHandling], deadLetters: [ReplayDeadLetter], retries: Int, copies: Int,
        awaitedBy: [String], status: ReplayNodeStatus
    ) {
        self.id = id
        self.type = type
        self.source = source
        self.time = time
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.hops = hops
        self.causationID = causationID
        self.parent = parent
        self.children = children
        self.traceParent = traceParent
        self.handlings = handlings
        self.deadLetters = deadLetters
        self.retries = retries
        self.copies = copies
        self.awaitedBy = awaitedBy
        self.status = status
    }
}
