import AgentBus
import JSONSchema

/// `agentbus replay --format otlp`: the workflow as OpenTelemetry spans in OTLP/JSON (an
/// `ExportTraceServiceRequest`), to open in Jaeger (Search → Upload, which takes a JSON file
/// holding `{"resourceSpans": ...}`) or to POST to any collector's `/v1/traces`.
///
/// The spans are the ones the runtime would have emitted with tracing on, rebuilt from the log:
/// per event a PRODUCER span "send <topic>" whose span ID is the event's `traceparent` span (the
/// send span the runtime put in the header), and per handling a CONSUMER span "process <topic>"
/// under it. An event published while handling another hangs under that handling's consumer
/// span, so Jaeger shows the same causal tree as `--format tree`. Services are the agents, with
/// "agentbus-cli" (or the raw `ce_source`) for publishers outside the runtime. Attribute names
/// follow the OpenTelemetry messaging and CloudEvents semantic conventions; a handling that
/// called models has the GenAI conventions' token counts (`gen_ai.usage.input_tokens`,
/// `gen_ai.usage.output_tokens`, summed over its calls) and `agentbus.model.cost`.
///
/// Everything is deterministic. Consumer span IDs are hashed from event ID, agent, instance and
/// position; an event without a `traceparent` (a foreign producer) takes its cause's trace ID,
/// or one hashed from the correlation ID, and a span ID hashed from its event ID. So an export
/// uploaded twice gives the same trace, not two.
///
/// Encoding, per the OTLP specification's "JSON Protobuf Encoding": trace and span IDs as
/// lowercase hex (not protobuf JSON's base64), enums (span kind, status code) as integers,
/// 64-bit integers (times in ns, integer attributes) as decimal strings, camelCase field names.
public enum ReplayOTLPExport {
    /// The instrumentation scope that names where the spans came from.
    public static let scopeName = "agentbus.replay"

    /// The service name for events published from the AgentBus CLI.
    public static let cliServiceName = "agentbus-cli"

    /// The request as one line of compact JSON: a valid JSON file, and also a valid line of the
    /// OpenTelemetry file exporter's JSON Lines format, which Jaeger's upload also accepts.
    public static func render(_ workflow: ReplayWorkflow) -> String {
        document(workflow).jsonText
    }

    /// The request as a value.
    public static func document(_ workflow: ReplayWorkflow) -> JSONValue {
        let ids = Identifiers(workflow)
        var spansByService: [String: [JSONValue]] = [:]

        for (index, node) in workflow.nodes.enumerated() {
            let hops = ReplayHop.hops(of: node, at: index)
            var producerEvents: [JSONValue] = []
            var consumerEvents: [[JSONValue]] = Array(repeating: [], count: node.handlings.count)
            for letter in node.deadLetters {
                let event = deadLetterEvent(letter)
                if let handling = node.handlings.lastIndex(where: {
                    $0.agent == letter.agent && ($0.outcome == .deadLettered || $0.outcome == .rejected)
                }) {
                    consumerEvents[handling].append(event)
                } else {
                    producerEvents.append(event)
                }
            }

            var producer: [(String, JSONValue)] = [
                ("traceId", .string(ids.trace[index])),
                ("spanId", .string(ids.producerSpan[index])),
            ]
            var links: [JSONValue] = []
            if let parent = ids.producerParent[index] {
                if parent.trace == ids.trace[index] {
                    producer.append(("parentSpanId", .string(parent.span)))
                } else {
                    // A cause in another trace: a parent there would dangle, a link does not.
                    links.append(.fields([("traceId", .string(parent.trace)), ("spanId", .string(parent.span))]))
                }
            }
            producer += [
                ("name", .string("send " + node.topic)),
                ("kind", .integer(4)),
                ("startTimeUnixNano", nanos(node.time)),
                // One microsecond long: some viewers hide spans of zero length.
                ("endTimeUnixNano", nanos(node.time, plusNanoseconds: 1000)),
                ("attributes", .array(messagingAttributes(node, workflow: workflow, operation: "send") + [
                    attribute("cloudevents.event_source", node.source),
                    attribute("agentbus.hops", Int64(node.hops)),
                    attribute("agentbus.status", node.status.rawValue),
                ] + (node.causationID.map { [attribute("agentbus.causation_id", $0)] } ?? []))),
            ]
            if !producerEvents.isEmpty { producer.append(("events", .array(producerEvents))) }
            if !links.isEmpty { producer.append(("links", .array(links))) }
            producer.append(("status", .fields([])))
            spansByService[serviceName(of: node), default: []].append(.fields(producer))

            for (position, (handling, hop)) in zip(node.handlings, hops).enumerated() {
                var attributes = messagingAttributes(node, workflow: workflow, operation: "process") + [
                    attribute("messaging.consumer.group.name", handling.agent),
                    attribute("agentbus.outcome", handling.outcome.rawValue),
                    attribute("agentbus.instance", handling.instance),
                    attribute("agentbus.attempts", Int64(handling.attempts)),
                    attribute("agentbus.wait_ms", hop.wait),
                    attribute("agentbus.published_count", Int64(handling.published.count)),
                ]
                if let failure = handling.failureClass { attributes.append(attribute("error.type", failure.rawValue)) }
                attributes += modelAttributes(handling.modelCalls)
                var consumer: [(String, JSONValue)] = [
                    ("traceId", .string(ids.trace[index])),
                    ("spanId", .string(ids.consumerSpan[index][position])),
                    ("parentSpanId", .string(ids.producerSpan[index])),
                    ("name", .string("process " + node.topic)),
                    ("kind", .integer(5)),
                    ("startTimeUnixNano", nanos(hop.startedAt)),
                    ("endTimeUnixNano", nanos(hop.startedAt + hop.processing)),
                    ("attributes", .array(attributes)),
                ]
                if !consumerEvents[position].isEmpty { consumer.append(("events", .array(consumerEvents[position]))) }
                consumer.append(("status", status(handling)))
                spansByService[handling.agent, default: []].append(.fields(consumer))
            }
        }

        let resourceSpans: [JSONValue] = spansByService.keys.sorted().map { service in
            .fields([
                ("resource", .fields([("attributes", .array([attribute("service.name", service)]))])),
                ("scopeSpans", .array([
                    .fields([
                        ("scope", .fields([("name", .string(scopeName))])),
                        ("spans", .array(spansByService[service]!)),
                    ])
                ])),
            ])
        }
        return .fields([("resourceSpans", .array(resourceSpans))])
    }

    /// What a handling's model calls used, as OpenTelemetry's GenAI attributes (summed over its
    /// calls) and AgentBus's own, the names the runtime's `chat` spans use; nothing when it
    /// called no model. The model and provider are named when every call used the same one.
    static func modelAttributes(_ calls: [ModelCallRecord]) -> [JSONValue] {
        guard !calls.isEmpty else { return [] }
        let usage = ModelCallTotals(calls)
        var attributes: [JSONValue] = []
        let providers = Set(calls.map(\.provider)), models = Set(calls.map(\.requestModel))
        if providers.count == 1 { attributes.append(attribute("gen_ai.provider.name", providers.first!)) }
        if models.count == 1 { attributes.append(attribute("gen_ai.request.model", models.first!)) }
        attributes += [
            attribute("gen_ai.usage.input_tokens", Int64(usage.inputTokens)),
            attribute("gen_ai.usage.output_tokens", Int64(usage.outputTokens)),
            attribute("agentbus.model.cost", usage.cost),
            attribute("agentbus.model.calls", Int64(usage.calls)),
            attribute("agentbus.model.replayed_calls", Int64(usage.replayed)),
        ]
        return attributes
    }

    /// The service that published `node`: its agent, "agentbus-cli" for the CLI, else the source.
    static func serviceName(of node: ReplayNode) -> String {
        if let agent = node.agent { return agent }
        if node.source == "/cli" || node.source.hasPrefix("/cli/") { return cliServiceName }
        return node.source
    }

    private static func messagingAttributes(_ node: ReplayNode, workflow: ReplayWorkflow, operation: String) -> [JSONValue] {
        [
            attribute("messaging.system", "kafka"),
            attribute("messaging.operation.type", operation),
            attribute("messaging.operation.name", operation),
            attribute("messaging.destination.name", node.topic),
            attribute("messaging.destination.partition.id", String(node.partition)),
            attribute("messaging.kafka.offset", node.offset),
            attribute("messaging.message.id", node.id),
            attribute("cloudevents.event_id", node.id),
            attribute("cloudevents.event_type", node.type),
            attribute("agentbus.correlation_id", workflow.correlationID),
        ]
    }

    /// ERROR (2) with the error for a handling that failed, even one that will be retried: in a
    /// trace, a failed attempt is what one looks for. Unset otherwise, as the OpenTelemetry
    /// specification asks of instrumentation that cannot be sure a call succeeded from the
    /// caller's point of view.
    private static func status(_ handling: ReplayHandling) -> JSONValue {
        switch handling.outcome {
        case .deadLettered, .rejected, .retried:
            let message = handling.error ?? handling.outcome.rawValue
            return .fields([("message", .string(message)), ("code", .integer(2))])
        case .ok, .duplicate, .cancelled:
            return .fields([])
        }
    }

    private static func deadLetterEvent(_ letter: ReplayDeadLetter) -> JSONValue {
        var attributes = [
            attribute("agentbus.dead_letter.agent", letter.agent),
            attribute("agentbus.dead_letter.topic", letter.topic),
            attribute("agentbus.dead_letter.partition", Int64(letter.partition)),
            attribute("agentbus.dead_letter.offset", letter.offset),
            attribute("agentbus.dead_letter.reason", letter.reason),
            attribute("agentbus.dead_letter.resolved", letter.resolved),
        ]
        if let failure = letter.failureClass { attributes.append(attribute("error.type", failure.rawValue)) }
        if let attempts = letter.attempts { attributes.append(attribute("agentbus.attempts", Int64(attempts))) }
        return .fields([
            ("timeUnixNano", nanos(letter.failedAt)),
            ("name", .string("dead-lettered")),
            ("attributes", .array(attributes)),
        ])
    }

    // MARK: Encoding

    private static func attribute(_ key: String, _ value: String) -> JSONValue {
        .fields([("key", .string(key)), ("value", .fields([("stringValue", .string(value))]))])
    }

    /// An int attribute: `intValue` is an int64, which OTLP/JSON writes as a decimal string.
    private static func attribute(_ key: String, _ value: Int64) -> JSONValue {
        .fields([("key", .string(key)), ("value", .fields([("intValue", .string(String(value)))]))])
    }

    /// A double attribute, rounded as costs are in the JSON export.
    private static func attribute(_ key: String, _ value: Double) -> JSONValue {
        .fields([("key", .string(key)), ("value", .fields([("doubleValue", .cost(value))]))])
    }

    private static func attribute(_ key: String, _ value: Bool) -> JSONValue {
        .fields([("key", .string(key)), ("value", .fields([("boolValue", .bool(value))]))])
    }

    /// Milliseconds since 1970 as OTLP's fixed64 nanoseconds, a decimal string. Times before
    /// 1970 cannot be expressed and become 0.
    static func nanos(_ milliseconds: Int64, plusNanoseconds extra: UInt64 = 0) -> JSONValue {
        .string(String(UInt64(max(milliseconds, 0)) &* 1_000_000 &+ extra))
    }

    /// The trace and span IDs of every span, as lowercase hex, worked out once.
    struct Identifiers {
        /// The trace of each event and its handlings (32 hex digits).
        var trace: [String]
        /// The producer span of each event (16 hex digits).
        var producerSpan: [String]
        /// `consumerSpan[node][handling]`.
        var consumerSpan: [[String]]
        /// The span each producer span hangs under: the consumer span of the handling that
        /// published the event, else the cause's producer span; nil for a root or an orphan.
        var producerParent: [(trace: String, span: String)?]

        init(_ workflow: ReplayWorkflow) {
            let nodes = workflow.nodes
            let correlationTrace = ReplayStableHash.hex(ReplayStableHash("trace", "high", workflow.correlationID).nonZero)
                + ReplayStableHash.hex(ReplayStableHash("trace", "low", workflow.correlationID).nonZero)

            // An event without a traceparent joins its cause's trace; memoised, and guarded
            // against causation cycles, which a damaged log can contain.
            var resolvedTrace = [String?](repeating: nil, count: nodes.count)
            func traceOf(_ index: Int, depth: Int) -> String {
                if let known = resolvedTrace[index] { return known }
                let resolved: String
                if let parent = nodes[index].traceParent {
                    resolved = parent.traceIDHex
                } else if let cause = nodes[index].parent, depth < nodes.count {
                    resolved = traceOf(cause, depth: depth + 1)
                } else {
                    resolved = correlationTrace
                }
                resolvedTrace[index] = resolved
                return resolved
            }
            self.trace = nodes.indices.map { traceOf($0, depth: 0) }

            producerSpan = nodes.map { node in
                node.traceParent?.spanIDHex ?? ReplayStableHash.hex(ReplayStableHash("producer", node.id).nonZero)
            }
            consumerSpan = nodes.map { node in
                node.handlings.enumerated().map { position, handling in
                    ReplayStableHash.hex(
                        ReplayStableHash("consumer", node.id, handling.agent, handling.instance, String(position)).nonZero)
                }
            }
            let trace = self.trace, producerSpan = producerSpan, consumerSpan = consumerSpan
            producerParent = nodes.map { node -> (trace: String, span: String)? in
                guard let cause = node.parent else { return nil }
                if let handling = nodes[cause].handlingIndex(publishing: node.id) {
                    return (trace[cause], consumerSpan[cause][handling])
                }
                return (trace[cause], producerSpan[cause])
            }
        }
    }
}
