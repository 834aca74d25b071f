import AgentBus
import JSONSchema

/// The chain of events that decided how long a workflow took: from a root down to the event that
/// finished last, and where along it the time went.
///
/// Finding it is simple because causation is a tree: the event whose end (its latest handling's
/// finish, else its publish time) is the latest in the workflow cannot have finished before its
/// ancestors produced it, so the path is that event and its chain of parents. Each step then says
/// how the time splits into queue wait, processing and gap, so "the workflow was slow" becomes
/// "risk-scorer waited 40 s in its queue".
public enum ReplayCriticalPath {
    /// One event on the path, and the handling that carried the workflow on from it.
    ///
    /// The three figures of all steps add up to the path's total (the last step's end minus the
    /// workflow's start), so the shares of waiting and processing are shares of real time.
    public struct Step: Sendable, Hashable {
        /// Index of the event in `ReplayWorkflow.nodes`.
        public var node: Int
        /// Index into that node's `handlings` of the handling that published the next event on
        /// the path (for the last event, the one that finished last); nil when the event has no
        /// recorded handling, or none that published the next one.
        public var handling: Int?
        /// Queue wait of that handling: from the event becoming available to the agent to the
        /// first attempt starting (ms).
        public var wait: Int64
        /// Processing of that handling, first attempt to finish (ms).
        public var processing: Int64
        /// Time on the path that is neither: from the previous step's end to this wait's start
        /// (ms). It holds earlier failed attempts and retry delays, and goes negative when the
        /// next event was published and picked up before the previous handler finished.
        public var gap: Int64

        package init(node: Int, handling: Int?, wait: Int64, processing: Int64, gap: Int64) {
            self.node = node
            self.handling = handling
            self.wait = wait
            self.processing = processing
            self.gap = gap
        }
    }

    /// The path from a root to the event that finished last, root first. Empty for a workflow
    /// without events. Ties (several events ending at the same instant) go to the earliest event.
    public static func compute(_ workflow: ReplayWorkflow) -> [Step] {
        // The first of equal latest ends, so ties do not depend on anything but the workflow.
        var latest: Int?
        for index in workflow.nodes.indices
        where latest.map({ workflow.nodes[index].endTime > workflow.nodes[$0].endTime }) ?? true {
            latest = index
        }
        guard let end = latest else { return [] }

        var chain = [end]
        var seen: Set<Int> = [end]
        while let parent = workflow.nodes[chain[chain.count - 1]].parent, seen.insert(parent).inserted {
            chain.append(parent)
        }
        chain.reverse()

        var steps: [Step] = []
        var previousEnd = workflow.startedAt
        for (position, nodeIndex) in chain.enumerated() {
            let node = workflow.nodes[nodeIndex]
            let hops = ReplayHop.hops(of: node, at: nodeIndex)
            let hop: ReplayHop?
            if position + 1 < chain.count {
                let next = workflow.nodes[chain[position + 1]].id
                hop = node.handlingIndex(publishing: next).map { hops[$0] }
                    ?? hops.max { ($0.processing, $1.handling) < ($1.processing, $0.handling) }
            } else {
                hop = hops.max { ($0.finishedAt, $1.handling) < ($1.finishedAt, $0.handling) }
            }
            guard let hop else {
                steps.append(Step(node: nodeIndex, handling: nil, wait: 0, processing: 0, gap: node.time - previousEnd))
                previousEnd = node.time
                continue
            }
            // Measured from the clamped figures so the steps add up exactly to the path's span.
            let waitStart = hop.startedAt - hop.wait
            steps.append(Step(
                node: nodeIndex, handling: hop.handling, wait: hop.wait, processing: hop.processing,
                gap: waitStart - previousEnd))
            previousEnd = hop.startedAt + hop.processing
        }
        return steps
    }

    /// The path as text: a summary line with the total and the shares of waiting, processing and
    /// gaps, then one line per step.
    public static func render(_ workflow: ReplayWorkflow) -> String {
        render(workflow, steps: compute(workflow))
    }

    /// Renders `steps` (from ``compute(_:)``) for `workflow`.
    public static func render(_ workflow: ReplayWorkflow, steps: [Step]) -> String {
        guard !steps.isEmpty else { return "critical path: none (the workflow has no events)" }
        let wait = steps.reduce(0) { $0 + $1.wait }
        let processing = steps.reduce(0) { $0 + $1.processing }
        let gap = steps.reduce(0) { $0 + $1.gap }
        let total = wait + processing + gap
        var summary = "critical path: \(ReplayDuration.format(total)) over "
            + ReplayText.count(steps.count, "event", "events")
        if total > 0 {
            summary += " · waiting " + ReplayText.percent(wait, of: total)
                + " · processing " + ReplayText.percent(processing, of: total)
                + " · gaps " + ReplayText.percent(gap, of: total)
        }

        let labels = steps.map { step -> String in
            let node = workflow.nodes[step.node]
            let consumer = step.handling.map { "→ " + node.handlings[$0].agent } ?? "(not handled)"
            return "\(node.type.oneLine) · \(node.shortID) \(consumer)"
        }
        let width = labels.map(\.count).max() ?? 0
        var lines = [summary]
        for (number, (step, label)) in zip(steps, labels).enumerated() {
            let figures = "gap \(ReplayDuration.format(step.gap)) · wait \(ReplayDuration.format(step.wait))"
                + " · processing \(ReplayDuration.format(step.processing))"
            lines.append("  \(number + 1). " + ReplayText.pad(label, to: width) + "  " + figures)
        }
        return lines.joined(separator: "\n")
    }
}
