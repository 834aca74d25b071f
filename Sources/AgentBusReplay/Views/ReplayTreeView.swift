import AgentBus
import JSONSchema

/// `agentbus replay --format tree`: the workflow as its causal tree, one line per event and one
/// per thing an agent did with it.
///
/// ```
/// workflow 7f3a… · failed · 3 events · 1.4s · started 2026-11-21T09:15:30.123Z
/// ✓ loan.application.received.v1 · 0190f3a1 · from /cli · +0ms
/// │ → credit-check: ok in 3ms (waited 11ms) · published 1 · 1 model call, 312→88 tokens, $0.0021
/// └─ ✗ credit.checked.v1 · 0190f3a2 · by credit-check · +14ms
///      → audit: dead-lettered (schema) after 1 attempt: /score: expected integer
///      DEAD-LETTERED in audit.dlt/0/5: /score: expected integer
///
/// model calls: 1 · tokens: 312 in, 88 out · cost: $0.0021
/// ```
///
/// A handling that called models says how many calls, their tokens (input→output) and cost,
/// and how many answers came from the effect journal ("replayed"); the last line adds up the
/// workflow's calls, each counted once (``ModelCallTally``). Both are left out when no model was
/// called.
///
/// Times on event lines are measured from the cause (from the workflow's start for a root or an
/// orphan), because "how long after its cause did this happen" is the question a tree answers;
/// the timeline view has absolute offsets. The output depends only on the workflow, never on the
/// clock, so a saved log renders the same text tomorrow.
public enum ReplayTreeView {
    /// Renders `workflow`. With `criticalPath`, events on the path to the latest end are marked
    /// ` *` and the critical path section (``ReplayCriticalPath``) follows the tree.
    public static func render(_ workflow: ReplayWorkflow, criticalPath: Bool = false) -> String {
        let steps = criticalPath ? ReplayCriticalPath.compute(workflow) : []
        var renderer = Renderer(workflow: workflow, critical: Set(steps.map(\.node)))
        renderer.lines.append(header(workflow))
        for (position, root) in workflow.roots.enumerated() {
            if position > 0 { renderer.lines.append("") }
            renderer.write(root, prefix: "", connector: "", continuation: "")
        }
        // A causation cycle has no root to start from; its events must still show up somewhere.
        let unreached = workflow.nodes.indices.filter { !renderer.visited.contains($0) }
        if !unreached.isEmpty {
            renderer.lines.append("")
            renderer.lines.append("not reachable from a root (causation cycle?):")
            for index in unreached {
                renderer.write(index, prefix: "", connector: "", continuation: "")
            }
        }
        if !workflow.unreadable.isEmpty {
            renderer.lines.append("")
            renderer.lines.append("unreadable records:")
            renderer.lines += workflow.unreadable.map { "  ! " + $0.oneLine }
        }
        let usage = workflow.modelTotals
        if !usage.isEmpty {
            renderer.lines.append("")
            renderer.lines.append(ModelCallText.total(usage))
        }
        if criticalPath {
            renderer.lines.append("")
            var section = ReplayCriticalPath.render(workflow, steps: steps)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if !steps.isEmpty { section[0] += " (marked * above)" }
            renderer.lines += section
        }
        return renderer.lines.joined(separator: "\n")
    }

    /// "workflow <id> · <status> · <n> events · <duration> · started <time>", plus the number of
    /// roots when there is more than one, since that alone says the log is incomplete or mixed.
    static func header(_ workflow: ReplayWorkflow) -> String {
        var text = "workflow \(workflow.correlationID) · \(workflow.status.rawValue) · "
            + ReplayText.count(workflow.nodes.count, "event", "events")
            + " · \(ReplayDuration.format(workflow.duration))"
            + " · started \(EventTime(millisecondsSinceEpoch: workflow.startedAt))"
        if workflow.roots.count > 1 { text += " · \(workflow.roots.count) roots" }
        return text
    }

    /// The marker at the head of an event line.
    static func marker(_ status: ReplayNodeStatus) -> String {
        switch status {
        case .ok: "✓"
        case .cancelled: "⊘"
        case .deadLettered: "✗"
        case .retrying: "↻"
        case .awaiting: "…"
        case .terminal: "■"
        }
    }

    /// What one agent did with an event, as the text after "→ ".
    static func describe(_ handling: ReplayHandling, hop: ReplayHop) -> String {
        let failure = handling.failureClass.map { " (\($0.rawValue))" } ?? ""
        let error = handling.error.map { ": " + $0.oneLine } ?? ""
        switch handling.outcome {
        case .ok:
            var text = "ok in \(ReplayDuration.format(hop.processing))"
            if handling.attempts > 1 { text += " after \(handling.attempts) attempts" }
            text += " (waited \(ReplayDuration.format(hop.wait))\(hop.clockSkew ? ", clocks skewed" : ""))"
            if !handling.published.isEmpty { text += " · published \(handling.published.count)" }
            return text
        case .retried:
            return "retried ×\(handling.attempts)\(failure)\(error)"
        case .deadLettered:
            return "dead-lettered\(failure) after " + ReplayText.count(handling.attempts, "attempt", "attempts") + error
        case .rejected:
            return "rejected\(failure)\(error)"
        case .duplicate:
            return "duplicate, skipped"
        case .cancelled:
            return "cancelled" + error
        }
    }

    /// Walks the tree depth first, writing lines. A struct rather than nested functions so the
    /// state (lines so far, events already written) is in one visible place.
    private struct Renderer {
        let workflow: ReplayWorkflow
        let critical: Set<Int>
        var lines: [String] = []
        var visited: Set<Int> = []

        init(workflow: ReplayWorkflow, critical: Set<Int>) {
            self.workflow = workflow
            self.critical = critical
        }

        /// Writes event `index` and its subtree. `prefix` is the indentation of the parent's
        /// children, `connector` goes before this event's marker ("├─ ", "└─ ", or "" for a root),
        /// and `continuation` replaces the connector on the lines below it ("│  " or "   ").
        mutating func write(_ index: Int, prefix: String, connector: String, continuation: String) {
            guard visited.insert(index).inserted else { return }
            let node = workflow.nodes[index]
            lines.append(prefix + connector + eventLine(node, index: index))

            let children = node.children.filter { !visited.contains($0) }
            let detailPrefix = prefix + continuation + (children.isEmpty ? "  " : "│ ")
            let hops = ReplayHop.hops(of: node, at: index)
            for (handling, hop) in zip(node.handlings, hops) {
                var line = detailPrefix + "→ \(handling.agent): " + ReplayTreeView.describe(handling, hop: hop)
                if !handling.modelCalls.isEmpty { line += " · " + ModelCallText.summary(handling.modelTotals) }
                lines.append(line)
            }
            for agent in node.awaitedBy {
                lines.append(detailPrefix + "→ \(agent): not handled yet")
            }
            for letter in node.deadLetters {
                let place = "\(letter.topic)/\(letter.partition)/\(letter.offset)"
                let reason = letter.reason.oneLine
                lines.append(detailPrefix + (letter.resolved
                    ? "was dead-lettered in \(place), redriven since: \(reason)"
                    : "DEAD-LETTERED in \(place): \(reason)"))
            }

            let childPrefix = prefix + continuation
            for (position, child) in children.enumerated() {
                let isLast = position == children.count - 1
                write(
                    child, prefix: childPrefix, connector: isLast ? "└─ " : "├─ ",
                    continuation: isLast ? "   " : "│  ")
            }
        }

        private func eventLine(_ node: ReplayNode, index: Int) -> String {
            let since = node.parent.map { workflow.nodes[$0].time } ?? workflow.startedAt
            let delta = node.time - since
            var line = ReplayTreeView.marker(node.status) + " " + node.type.oneLine + " · " + node.shortID
                + " · " + (node.agent.map { "by " + $0 } ?? "from " + node.source)
                + " · " + (delta >= 0 ? "+" : "") + ReplayDuration.format(delta)
            if delta < 0 { line += " (before its cause: clocks skewed)" }
            if node.copies > 0 { line += " · " + ReplayText.count(node.copies, "extra copy", "extra copies") }
            if node.retries > 0 { line += " · " + ReplayText.count(node.retries, "retry", "retries") }
            if node.isOrphan, let cause = node.causationID {
                line += " (orphan: cause \(cause.prefix(8)) not in log)"
            }
            if critical.contains(index) { line += " *" }
            return line
        }
    }
}
