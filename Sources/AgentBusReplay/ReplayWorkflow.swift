import AgentBus

/// One workflow as replay reconstructs it: every event recorded under one correlation ID, linked
/// by `ce_causationid` into a causal graph, with what each consuming agent did with each event.
///
/// This is what the views render (tree, timeline, critical path, JSON, DOT, Mermaid, Chrome
/// trace, OTLP). It is built from a ``ReplayLog`` on demand, one workflow at a time, so a log of
/// millions of events never holds a graph of strings for all of them at once.
public struct ReplayWorkflow: Sendable {
    public var correlationID: String
    /// Every distinct event ID of the workflow, earliest first (by `ce_time`, then by where it
    /// was read). Indices into this array are the graph's node references.
    public var nodes: [ReplayNode]
    /// Nodes without a parent in the workflow: the root, and any orphans. A healthy workflow has
    /// exactly one, and it has no `causationID`.
    public var roots: [Int]
    public var status: WorkflowStatus
    /// The earliest event time and the latest time anything happened (an event, or a handling's
    /// end), in milliseconds since 1970.
    public var startedAt: Int64
    public var endedAt: Int64
    /// Records of this workflow that could not be read as events (for example a dead letter
    /// whose headers were damaged), one line each.
    public var unreadable: [String]

    package init(
        correlationID: String, nodes: [ReplayNode], roots: [Int], status: WorkflowStatus, startedAt: Int64,
        endedAt: Int64, unreadable: [String] = []
    ) {
        self.correlationID = correlationID
        self.nodes = nodes
        self.roots = roots
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.unreadable = unreadable
    }

    /// Milliseconds from the first event to the last thing that happened.
    public var duration: Int64 { endedAt - startedAt }

    /// The node with `ce_id` `id`.
    public func node(id: String) -> Int? { nodes.firstIndex { $0.id == id } }
}
