import AgentBus

/// One handling of one event seen as a hop of the workflow: how long the event waited for the
/// agent, and how long the agent worked on it.
///
/// The tree, the timeline and the critical path all quote these figures, so they are computed
/// here once. The wait starts when the event became available to the agent: its publish time for
/// a first handling, but for a later handling by the same agent (the event came back through
/// `<agent>.retry.<delay>`, or a dead letter was redriven) the end of that agent's previous handling.
/// Otherwise the second handling's "wait" would silently include the first attempt's work.
struct ReplayHop: Sendable {
    /// Index of the event in `ReplayWorkflow.nodes`.
    var node: Int
    /// Index of the handling in that node's `handlings`.
    var handling: Int
    /// When the event became available to the agent, in ms since 1970.
    var readyAt: Int64
    var startedAt: Int64
    var finishedAt: Int64
    /// Milliseconds from `readyAt` to the first attempt starting; 0 when clocks disagree.
    var wait: Int64
    /// Milliseconds from the first attempt starting to the handling finishing (never negative).
    var processing: Int64
    /// True when the agent's clock put the start before the event was available: the producer's
    /// and the consumer's clocks differ. The wait is then shown as 0, and flagged.
    var clockSkew: Bool

    /// The hops of one event, in the order of its handlings.
    static func hops(of node: ReplayNode, at nodeIndex: Int) -> [ReplayHop] {
        var previousFinish: [String: Int64] = [:]
        var hops: [ReplayHop] = []
        hops.reserveCapacity(node.handlings.count)
        for (index, handling) in node.handlings.enumerated() {
            let readyAt = previousFinish[handling.agent].map { max($0, node.time) } ?? node.time
            previousFinish[handling.agent] = handling.finishedAt
            hops.append(ReplayHop(
                node: nodeIndex, handling: index, readyAt: readyAt, startedAt: handling.startedAt,
                finishedAt: handling.finishedAt, wait: max(0, handling.startedAt - readyAt),
                processing: max(0, handling.finishedAt - handling.startedAt),
                clockSkew: handling.startedAt < readyAt))
        }
        return hops
    }

    /// Every hop of the workflow in time order: by when it became ready, then started, then by
    /// position, so equal times still sort the same way on every run.
    static func all(in workflow: ReplayWorkflow) -> [ReplayHop] {
        workflow.nodes.enumerated()
            .flatMap { hops(of: $0.element, at: $0.offset) }
            .sorted { ($0.readyAt, $0.startedAt, $0.node, $0.handling) < ($1.readyAt, $1.startedAt, $1.node, $1.handling) }
    }
}
