import AgentBus
import JSONSchema

/// `agentbus replay --format json`: the whole workflow as one JSON document, for scripts (`jq`),
/// notebooks and bug reports.
///
/// Every field of the model is there, with every key present (`null` when a value is absent) and
/// keys in a fixed order, so two exports of the same workflow are byte-identical and diff
/// cleanly. Times appear twice: as RFC 3339 for people and as milliseconds since 1970 for
/// arithmetic. Nodes refer to each other by event ID rather than by array index, because IDs
/// survive filtering and re-sorting by whoever reads the file; `edges` lists causation again as
/// pairs, which is what graph tools want.
///
/// Each handling lists its model calls (`modelCalls`, every field of the activity record's, a
/// replayed one included), and `totals` adds up the workflow's calls, each counted once (see
/// ``ModelCallTally``).
public enum ReplayJSONExport {
    /// Version of this document's shape; bumped when a field changes meaning or goes away.
    public static let formatVersion = 1

    /// The workflow as pretty-printed JSON (two-space indent), without a trailing newline.
    public static func render(_ workflow: ReplayWorkflow) -> String {
        document(workflow).prettyJSONText
    }

    /// The document as a value, for callers that embed it in something larger.
    public static func document(_ workflow: ReplayWorkflow) -> JSONValue {
        let nodes = workflow.nodes
        var edges: [JSONValue] = []
        for child in nodes {
            guard let parent = child.parent else { continue }
            edges.append(.fields([
                ("from", .string(nodes[parent].id)),
                ("to", .string(child.id)),
                ("publisher", .string(child.publisherName)),
            ]))
        }
        return .fields([
            ("formatVersion", .integer(formatVersion)),
            ("correlationId", .string(workflow.correlationID)),
            ("status", .string(workflow.status.rawValue)),
            ("startedAt", time(workflow.startedAt)),
            ("startedAtMs", .integer(workflow.startedAt)),
            ("endedAt", time(workflow.endedAt)),
            ("endedAtMs", .integer(workflow.endedAt)),
            ("durationMs", .integer(workflow.duration)),
            ("eventCount", .integer(nodes.count)),
            ("roots", .array(workflow.roots.map { .string(nodes[$0].id) })),
            ("nodes", .array(nodes.enumerated().map { node($0.element, index: $0.offset, in: workflow) })),
            ("edges", .array(edges)),
            ("unreadable", .array(workflow.unreadable.map(JSONValue.string))),
            ("totals", usage(workflow.modelTotals)),
        ])
    }

    /// Model calls added up: the workflow's `totals`, each call counted once (``ModelCallTally``).
    static func usage(_ usage: ModelCallTotals) -> JSONValue {
        .fields([
            ("modelCalls", .integer(usage.calls)),
            ("inputTokens", .integer(usage.inputTokens)),
            ("outputTokens", .integer(usage.outputTokens)),
            ("cost", .cost(usage.cost)),
            ("replayedCalls", .integer(usage.replayed)),
        ])
    }

    /// One model call, every field of its ``ModelCallRecord``.
    static func modelCall(_ call: ModelCallRecord) -> JSONValue {
        .fields([
            ("effect", .string(call.effect)),
            ("provider", .string(call.provider)),
            ("requestModel", .string(call.requestModel)),
            ("responseModel", .string(call.responseModel)),
            ("inputTokens", .integer(call.inputTokens)),
            ("outputTokens", .integer(call.outputTokens)),
            ("latencyMs", .integer(call.latencyMilliseconds)),
            ("cost", .cost(call.cost)),
            ("journaled", .bool(call.journaled)),
            ("replayed", .bool(call.replayed)),
        ])
    }

    private static func node(_ node: ReplayNode, index: Int, in workflow: ReplayWorkflow) -> JSONValue {
        let hops = ReplayHop.hops(of: node, at: index)
        return .fields([
            ("id", .string(node.id)),
            ("type", .string(node.type)),
            ("source", .string(node.source)),
            ("agent", .string(orNull: node.agent)),
            ("time", time(node.time)),
            ("timeMs", .integer(node.time)),
            ("offsetMs", .integer(node.time - workflow.startedAt)),
            ("topic", .string(node.topic)),
            ("partition", .integer(Int64(node.partition))),
            ("offset", .integer(node.offset)),
            ("hops", .integer(node.hops)),
            ("causationId", .string(orNull: node.causationID)),
            ("parentId", .string(orNull: node.parent.map { workflow.nodes[$0].id })),
            ("orphan", .bool(node.isOrphan)),
            ("childIds", .array(node.children.map { .string(workflow.nodes[$0].id) })),
            ("traceparent", .string(orNull: node.traceParent?.description)),
            ("status", .string(node.status.rawValue)),
            ("retries", .integer(node.retries)),
            ("copies", .integer(node.copies)),
            ("awaitedBy", .array(node.awaitedBy.map(JSONValue.string))),
            ("handlings", .array(zip(node.handlings, hops).map(handling))),
            ("deadLetters", .array(node.deadLetters.map(deadLetter))),
        ])
    }

    private static func handling(_ handling: ReplayHandling, hop: ReplayHop) -> JSONValue {
        .fields([
            ("agent", .string(handling.agent)),
            ("instance", .string(handling.instance)),
            ("outcome", .string(handling.outcome.rawValue)),
            ("receivedAt", time(handling.receivedAt)),
            ("receivedAtMs", .integer(handling.receivedAt)),
            ("startedAt", time(handling.startedAt)),
            ("startedAtMs", .integer(handling.startedAt)),
            ("finishedAt", time(handling.finishedAt)),
            ("finishedAtMs", .integer(handling.finishedAt)),
            ("waitMs", .integer(hop.wait)),
            ("processingMs", .integer(hop.processing)),
            ("clockSkew", .bool(hop.clockSkew)),
            ("attempts", .integer(handling.attempts)),
            ("published", .array(handling.published.map(JSONValue.string))),
            ("failureClass", .string(orNull: handling.failureClass?.rawValue)),
            ("error", .string(orNull: handling.error)),
            ("modelCalls", .array(handling.modelCalls.map(modelCall))),
        ])
    }

    private static func deadLetter(_ letter: ReplayDeadLetter) -> JSONValue {
        .fields([
            ("agent", .string(letter.agent)),
            ("failureClass", .string(orNull: letter.failureClass?.rawValue)),
            ("reason", .string(letter.reason)),
            ("attempts", letter.attempts.map { .integer($0) } ?? .null),
            ("failedAt", time(letter.failedAt)),
            ("failedAtMs", .integer(letter.failedAt)),
            ("topic", .string(letter.topic)),
            ("partition", .integer(Int64(letter.partition))),
            ("offset", .integer(letter.offset)),
            ("resolved", .bool(letter.resolved)),
        ])
    }

    private static func time(_ milliseconds: Int64) -> JSONValue {
        .string(EventTime(millisecondsSinceEpoch: milliseconds).description)
    }
}
