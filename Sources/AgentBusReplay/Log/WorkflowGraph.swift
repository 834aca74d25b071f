import AgentBus

/// One workflow's causal graph over the index's rows: what status, `ls`, lint and the views are
/// computed from. Built per workflow in time linear in its records.
struct WorkflowGraph {
    /// How an event's `ce_causationid` resolved.
    enum Cause: Equatable {
        /// No causation ID: a root.
        case none
        /// The cause is node `parent` of this workflow.
        case node(Int)
        /// The cause is in the log, but under another correlation ID.
        case otherWorkflow(correlation: Int32)
        /// The cause is nowhere in the log.
        case missing
    }

    struct Node {
        /// The first copy's row in ``ReplayIndex/events``.
        var event: Int32
        var cause: Cause
        var children: [Int] = []
        /// Rows in ``ReplayIndex/activities``, in the order they finished.
        var handlings: [Int32] = []
        var deadLetters: [Int32] = []
        /// Which of `deadLetters` a later successful handling by the same agent resolved.
        var resolved: [Bool] = []
        var retries = 0
        /// Further copies, and how many of them differ from the first (type, source, cause or payload).
        var copies = 0
        var differingCopies: [Int32] = []
        var awaitedBy: [Int32] = []
        var status: ReplayNodeStatus = .terminal
        /// Latest thing that happened to it: its time, a handling's end, a dead letter.
        var end: Int64 = 0
    }

    let correlation: Int32
    var nodes: [Node] = []
    var roots: [Int] = []
    /// Nodes whose causation leads in a circle (they reach no root).
    var cyclic: [Int] = []
    /// One node of each loop, where the loop is cut: shown as a root, with no parent.
    var cycleBreaks: [Int] = []
    /// Activity rows and dead-letter rows of this workflow whose event is not in it.
    var strayActivities: [Int32] = []
    var strayDeadLetters: [Int32] = []
    var status: WorkflowStatus = .completed
    var start: Int64 = 0
    var end: Int64 = 0

    init(correlation: Int32, log: ReplayLog, options: ReplayOptions) {
        self.correlation = correlation
        // The index's arrays one by one: copying the whole index would retain every array in it.
        let events = log.index.events
        let activities = log.index.activities
        let deadLetters = log.index.deadLetters
        // Events earliest first; ties broken by record order, which is topic, partition and
        // offset order both for a read from Kafka and for the same records saved and read back.
        var rows = Array(log.eventsByCorrelation[correlation])
        rows.sort { a, b in
            let x = events[Int(a)], y = events[Int(b)]
            return x.time != y.time ? x.time < y.time : x.record < y.record
        }
        var nodeOfID: [Int32: Int] = [:]
        nodeOfID.reserveCapacity(rows.count)
        for row in rows {
            let event = events[Int(row)]
            if let existing = nodeOfID[event.id] {
                nodes[existing].copies += 1
                if events[Int(nodes[existing].event)].digest != event.digest {
                    nodes[existing].differingCopies.append(row)
                }
                continue
            }
            nodeOfID[event.id] = nodes.count
            nodes.append(Node(event: row, cause: .none, end: event.time))
        }
        for position in nodes.indices {
            let event = events[Int(nodes[position].event)]
            guard event.causation >= 0 else {
                roots.append(position)
                continue
            }
            if let parent = nodeOfID[event.causation] {
                nodes[position].cause = .node(parent)
                nodes[parent].children.append(position)
            } else {
                let elsewhere = log.firstEventOfID(event.causation)
                nodes[position].cause = elsewhere.map { .otherWorkflow(correlation: events[Int($0)].correlation) } ?? .missing
                roots.append(position)
            }
        }
        findCycles()

        for row in log.activitiesByCorrelation[correlation] {
            let activity = activities[Int(row)]
            guard let position = nodeOfID[activity.event] else {
                strayActivities.append(row)
                continue
            }
            nodes[position].handlings.append(row)
        }
        for row in log.deadLettersByCorrelation[correlation] {
            let letter = deadLetters[Int(row)]
            guard let position = nodeOfID[letter.event] else {
                strayDeadLetters.append(row)
                continue
            }
            nodes[position].deadLetters.append(row)
        }
        for row in log.retriesByCorrelation[correlation] {
            if let position = nodeOfID[log.index.retries[Int(row)].event] { nodes[position].retries += 1 }
        }

        var first = Int64.max, last = Int64.min
        for position in nodes.indices {
            if nodes[position].handlings.count > 1 {
                nodes[position].handlings.sort { activities[Int($0)].finishedAt < activities[Int($1)].finishedAt }
            }
            settle(position, log: log, activities: activities, deadLetters: deadLetters)
            first = min(first, events[Int(nodes[position].event)].time)
            last = max(last, nodes[position].end)
        }
        start = nodes.isEmpty ? 0 : first
        end = nodes.isEmpty ? 0 : last

        let waiting = nodes.contains { $0.status == .awaiting || $0.status == .retrying }
        if nodes.contains(where: { $0.status == .deadLettered }) {
            status = .failed
        } else if nodes.contains(where: { $0.status == .cancelled }) {
            status = .cancelled
        } else if waiting {
            status = log.readAt - end > options.stallAfter ? .stalled : .running
        } else {
            status = .completed
        }
    }

    /// Works out a node's status from its handlings, dead letters and the registry. Nodes have
    /// a handful of each, so plain scans beat building sets or dictionaries per node.
    private mutating func settle(
        _ position: Int, log: ReplayLog, activities: [IndexedActivity], deadLetters: [IndexedDeadLetter]
    ) {
        var node = nodes[position]
        var stillFailed = false
        var retrying = false
        var cancelled = false
        /// The last word of `agent` on this event: a later success resolves an earlier failure
        /// (a redrive). Handlings are in the order they finished.
        func lastHandling(by agent: Int32) -> IndexedActivity? {
            for row in node.handlings.reversed() where activities[Int(row)].agent == agent { return activities[Int(row)] }
            return nil
        }
        for (slot, row) in node.handlings.enumerated() {
            let activity = activities[Int(row)]
            node.end = max(node.end, activity.finishedAt)
            // Only each agent's last handling counts.
            if node.handlings[(slot + 1)...].contains(where: { activities[Int($0)].agent == activity.agent }) { continue }
            switch activity.outcome {
            case .retried: retrying = true
            case .deadLettered, .rejected: if node.deadLetters.isEmpty { stillFailed = true }
            case .cancelled: cancelled = true
            case .ok, .duplicate: break
            }
        }
        for row in node.deadLetters {
            let letter = deadLetters[Int(row)]
            node.end = max(node.end, letter.failedAt)
            let resolved = lastHandling(by: letter.agent).map { $0.outcome == .ok && $0.finishedAt >= letter.failedAt } ?? false
            node.resolved.append(resolved)
            if !resolved { stillFailed = true }
        }
        let consumers = log.consumers(ofType: log.index.events[Int(node.event)].type)
        if !consumers.isEmpty {
            node.awaitedBy = consumers.filter { agent in
                !node.handlings.contains { activities[Int($0)].agent == agent }
                    && !node.deadLetters.contains { deadLetters[Int($0)].agent == agent }
            }
        }
        if stillFailed {
            node.status = .deadLettered
        } else if cancelled {
            node.status = .cancelled
        } else if retrying {
            node.status = .retrying
        } else if !node.awaitedBy.isEmpty {
            node.status = .awaiting
        } else if !node.handlings.isEmpty {
            node.status = .ok
        } else {
            node.status = .terminal
        }
        nodes[position] = node
    }

    /// Marks nodes whose chain of causes loops instead of reaching a root, and cuts each loop
    /// once (at the node where it was found) so views can walk the graph as a forest.
    private mutating func findCycles() {
        // 0 unvisited, 1 on the current chain, 2 reaches a root, 3 in or behind a cycle.
        var state = [UInt8](repeating: 0, count: nodes.count)
        for start in nodes.indices where state[start] == 0 {
            var chain: [Int] = []
            var current = start
            var verdict: UInt8 = 2
            while true {
                if state[current] == 1 {
                    verdict = 3
                    cycleBreaks.append(current)
                    break
                }
                if state[current] >= 2 {
                    verdict = state[current]
                    break
                }
                state[current] = 1
                chain.append(current)
                guard case .node(let parent) = nodes[current].cause else { break }
                current = parent
            }
            for position in chain { state[position] = verdict }
        }
        cyclic = nodes.indices.filter { state[$0] == 3 }
        for position in cycleBreaks {
            if case .node(let parent) = nodes[position].cause { nodes[parent].children.removeAll { $0 == position } }
            roots.append(position)
        }
    }
}
