import AgentBus
import JSONSchema

/// `agentbus replay --format chrome`: the workflow in the Trace Event Format, to open in
/// Perfetto (ui.perfetto.dev) or `chrome://tracing`.
///
/// The workflow is one process named after the correlation ID; each agent is a thread (a track),
/// ordered by name, plus a "publishers" thread for events from the CLI and external systems.
/// Each handling is a complete event (`ph: X`) on its agent's track, named after the event type;
/// each publish is an instant (`ph: i`) on the publisher's track; causation is drawn as flow
/// arrows (`ph: s` → `ph: f`) from the handling that published an event to every handling of it.
/// Times are microseconds from the workflow's start. A handling that called models has their
/// count, tokens and cost among its args.
///
/// Slices on one track must nest, but an agent handles several partitions at once and may run
/// several instances, so its handlings can overlap. Overlapping ones go to extra tracks named
/// "agent (2)", "agent (3)"..., assigned greedily in start order, which keeps every slice and
/// keeps the numbering the same on every export.
///
/// Flow events bind to the slice that encloses their timestamp (Perfetto and `chrome://tracing`);
/// both ends are placed at the start of their slice so they stay inside even a 0 µs one. The
/// Chrome DevTools performance panel binds flows only to slices of the flow's own category, so
/// there the slices show without the arrows.
public enum ReplayChromeTraceExport {
    /// The thread for publishes that no agent made (the CLI, external producers).
    static let publishersThread = 1

    /// The trace as JSON: one trace event per line, so a large trace stays readable and diffable.
    public static func render(_ workflow: ReplayWorkflow) -> String {
        let layout = Layout(workflow)
        let events = traceEvents(workflow, layout: layout)
        let metadata: JSONValue = .fields([
            ("correlationId", .string(workflow.correlationID)),
            ("status", .string(workflow.status.rawValue)),
            ("startedAt", .string(EventTime(millisecondsSinceEpoch: workflow.startedAt).description)),
            ("startedAtMs", .integer(workflow.startedAt)),
        ])
        return "{\"traceEvents\":[\n" + events.map(\.jsonText).joined(separator: ",\n") + "\n],\n"
            + "\"displayTimeUnit\":\"ms\",\n\"otherData\":" + metadata.jsonText + "}"
    }

    /// The trace events, in a fixed order: metadata, then per event its publish and handlings,
    /// then the flows.
    static func traceEvents(_ workflow: ReplayWorkflow, layout: Layout) -> [JSONValue] {
        func micros(_ milliseconds: Int64) -> JSONValue { .integer((milliseconds - workflow.startedAt) * 1000) }

        var events: [JSONValue] = [
            .fields([
                ("name", .string("process_name")), ("ph", .string("M")), ("pid", .integer(1)),
                ("args", .fields([("name", .string("workflow " + workflow.correlationID))])),
            ])
        ]
        for thread in layout.threads {
            events.append(.fields([
                ("name", .string("thread_name")), ("ph", .string("M")), ("pid", .integer(1)),
                ("tid", .integer(thread.tid)), ("args", .fields([("name", .string(thread.name))])),
            ]))
            events.append(.fields([
                ("name", .string("thread_sort_index")), ("ph", .string("M")), ("pid", .integer(1)),
                ("tid", .integer(thread.tid)), ("args", .fields([("sort_index", .integer(thread.tid))])),
            ]))
        }

        for (index, node) in workflow.nodes.enumerated() {
            events.append(.fields([
                ("name", .string(node.type)), ("cat", .string("publish")), ("ph", .string("i")), ("s", .string("t")),
                ("ts", micros(node.time)), ("pid", .integer(1)), ("tid", .integer(layout.publishTID[index])),
                ("args", .fields([
                    ("eventId", .string(node.id)), ("source", .string(node.source)), ("topic", .string(node.topic)),
                    ("partition", .integer(Int64(node.partition))), ("offset", .integer(node.offset)),
                    ("status", .string(node.status.rawValue)),
                ])),
            ]))
            for (hop, handling) in zip(ReplayHop.hops(of: node, at: index), node.handlings) {
                var args: [(String, JSONValue)] = [
                    ("eventId", .string(node.id)), ("outcome", .string(handling.outcome.rawValue)),
                    ("attempts", .integer(handling.attempts)), ("instance", .string(handling.instance)),
                    ("waitMs", .integer(hop.wait)),
                ]
                if let failure = handling.failureClass { args.append(("failureClass", .string(failure.rawValue))) }
                if let error = handling.error { args.append(("error", .string(error))) }
                if !handling.modelCalls.isEmpty {
                    let usage = handling.modelTotals
                    args += [
                        ("modelCalls", .integer(usage.calls)), ("replayedModelCalls", .integer(usage.replayed)),
                        ("inputTokens", .integer(usage.inputTokens)), ("outputTokens", .integer(usage.outputTokens)),
                        ("cost", .cost(usage.cost)),
                    ]
                }
                events.append(.fields([
                    ("name", .string(node.type)), ("cat", .string(handling.agent)), ("ph", .string("X")),
                    ("ts", micros(hop.startedAt)), ("dur", .integer(hop.processing * 1000)), ("pid", .integer(1)),
                    ("tid", .integer(layout.handlingTID[index][hop.handling])), ("args", .fields(args)),
                ]))
            }
        }

        var flowID = 0
        for (index, child) in workflow.nodes.enumerated() where !child.handlings.isEmpty {
            // The start: the handling that published the child; for a root or an event whose
            // publisher left no activity record, its publish instant.
            let start: (tid: Int, ts: Int64)
            if let parent = child.parent, let published = workflow.nodes[parent].handlingIndex(publishing: child.id) {
                start = (layout.handlingTID[parent][published], workflow.nodes[parent].handlings[published].startedAt)
            } else {
                start = (layout.publishTID[index], child.time)
            }
            for (position, handling) in child.handlings.enumerated() {
                flowID += 1
                events.append(.fields([
                    ("name", .string("causes")), ("cat", .string("causation")), ("ph", .string("s")),
                    ("id", .integer(flowID)), ("ts", micros(start.ts)), ("pid", .integer(1)), ("tid", .integer(start.tid)),
                ]))
                events.append(.fields([
                    ("name", .string("causes")), ("cat", .string("causation")), ("ph", .string("f")),
                    ("bp", .string("e")), ("id", .integer(flowID)), ("ts", micros(handling.startedAt)),
                    ("pid", .integer(1)), ("tid", .integer(layout.handlingTID[index][position])),
                ]))
            }
        }
        return events
    }

    /// Which track each handling and each publish goes on.
    struct Layout {
        struct Thread {
            var tid: Int
            var name: String
        }

        /// Every track used, by tid.
        var threads: [Thread] = []
        /// `handlingTID[node][handling]`.
        var handlingTID: [[Int]]
        /// The track of each event's publish instant.
        var publishTID: [Int]

        init(_ workflow: ReplayWorkflow) {
            // Lanes per agent: each handling goes to the first lane free at its start.
            var lanesOf: [String: [Int64]] = [:]
            var laneOf: [[Int]] = workflow.nodes.map { Array(repeating: 0, count: $0.handlings.count) }
            let ordered = workflow.nodes.indices.flatMap { node in
                workflow.nodes[node].handlings.indices.map { (node: node, handling: $0) }
            }.sorted { a, b in
                let x = workflow.nodes[a.node].handlings[a.handling], y = workflow.nodes[b.node].handlings[b.handling]
                return (x.startedAt, x.finishedAt, a.node, a.handling) < (y.startedAt, y.finishedAt, b.node, b.handling)
            }
            for (node, handling) in ordered {
                let record = workflow.nodes[node].handlings[handling]
                let end = max(record.finishedAt, record.startedAt)
                var lanes = lanesOf[record.agent, default: []]
                if let free = lanes.firstIndex(where: { $0 <= record.startedAt }) {
                    lanes[free] = end
                    laneOf[node][handling] = free
                } else {
                    lanes.append(end)
                    laneOf[node][handling] = lanes.count - 1
                }
                lanesOf[record.agent] = lanes
            }
            for node in workflow.nodes {
                if let agent = node.agent, lanesOf[agent] == nil { lanesOf[agent] = [0] }
            }

            var tidOf: [String: Int] = [:]
            var next = ReplayChromeTraceExport.publishersThread + 1
            for agent in lanesOf.keys.sorted() {
                tidOf[agent] = next
                for lane in lanesOf[agent]!.indices {
                    threads.append(Thread(tid: next + lane, name: lane == 0 ? agent : "\(agent) (\(lane + 1))"))
                }
                next += lanesOf[agent]!.count
            }
            handlingTID = workflow.nodes.indices.map { node in
                workflow.nodes[node].handlings.enumerated().map { tidOf[$1.agent]! + laneOf[node][$0] }
            }
            // A publish goes on the track of the handling that made it, when that is known.
            publishTID = workflow.nodes.map { node in
                guard let agent = node.agent else { return ReplayChromeTraceExport.publishersThread }
                return tidOf[agent]!
            }
            for (index, node) in workflow.nodes.enumerated() {
                guard let parent = node.parent, let published = workflow.nodes[parent].handlingIndex(publishing: node.id)
                else { continue }
                publishTID[index] = handlingTID[parent][published]
            }
            if publishTID.contains(ReplayChromeTraceExport.publishersThread) {
                threads.insert(Thread(tid: ReplayChromeTraceExport.publishersThread, name: "publishers"), at: 0)
            }
        }
    }
}
