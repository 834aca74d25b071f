/// One event as it travels on Kafka: CloudEvents 1.0 attributes in `ce_` headers, the JSON
/// payload as the record's value, the partition key as its key.
///
/// AgentBus adds the workflow's correlation ID, the causing event's ID, W3C trace context and the
/// causal depth (`agentbus_hops`). Any Kafka client can produce and read these records; see
/// ``init(record:)`` for what is accepted from foreign producers.
public struct EventEnvelope: Sendable, Equatable {
    /// `ce_id`: unique per `source`; the dedupe key. AgentBus generates UUIDs (``EventID``), but
    /// foreign producers may use any non-empty string.
    public var id: String
    /// `ce_source`: `/agents/<name>`, `/cli`, or `/external/...`.
    public var source: String
    /// `ce_type`: reverse-DNS with a major version, e.g. `dev.agentbus.loan.application.received.v1`.
    public var type: String
    /// `ce_time`: when the event happened. Optional in CloudEvents; AgentBus always sets it.
    public var time: EventTime?
    /// `ce_dataschema`: the `$id` of the payload's schema.
    public var dataSchema: String?
    /// `content-type`; nil (absent) is read as JSON.
    public var contentType: String?
    /// `ce_correlationid`: the workflow. A root event's is its own ID.
    public var correlationID: String
    /// `ce_causationid`: the `ce_id` of the event being handled when this one was published;
    /// nil for a root.
    public var causationID: String?
    /// `traceparent` of this hop's send.
    public var traceParent: TraceParent?
    /// `tracestate`, passed along untouched.
    public var traceState: String?
    /// `agentbus_hops`: causal depth, 0 for a root.
    public var hops: Int
    /// `agentbus_cost`: what the workflow has spent so far (0 when nothing was reported).
    public var cost: Double = 0
    /// `agentbus_budget`: the workflow's limits, if it has any.
    public var budget: WorkflowBudget?
    /// Other `ce_` headers (CloudEvents extension attributes), kept so nothing is lost on the way
    /// through AgentBus.
    public var extensions: [String: String]
    /// The Kafka key: by default the correlation ID.
    public var key: String?
    /// The payload: JSON bytes.
    public var data: [UInt8]

    public init(
        id: String, source: String, type: String, time: EventTime? = .now(), dataSchema: String? = nil,
        contentType: String? = EnvelopeHeader.jsonContentType, correlationID: String, causationID: String? = nil,
        traceParent: TraceParent? = nil, traceState: String? = nil, hops: Int = 0,
        extensions: [String: String] = [:], key: String? = nil, data: [UInt8], cost: Double = 0,
        budget: WorkflowBudget? = nil
    ) {
        self.cost = cost
        self.budget = budget
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.dataSchema = dataSchema
        self.contentType = contentType
        self.correlationID = correlationID
        self.causationID = causationID
        self.traceParent = traceParent
        self.traceState = traceState
        self.hops = hops
        self.extensions = extensions
        self.key = key
        self.data = data
    }

    /// A root event: a new ID, a new workflow (correlation ID = its own ID, unless given), hops
    /// 0, a new trace.
    public static func root(
        type: String, source: String, data: [UInt8], dataSchema: String? = nil, correlationID: String? = nil,
        key: String? = nil
    ) -> EventEnvelope {
        let id = EventID.random().description
        return EventEnvelope(
            id: id, source: source, type: type, dataSchema: dataSchema, correlationID: correlationID ?? id,
            traceParent: .newRoot(), key: key, data: data)
    }

    /// Which of the outputs of one handling an event is: what its derived ID is made from.
    public enum OutputIdentity: Sendable, Hashable {
        /// The `n`th output of its type in this handling, from 0.
        case index(Int)
        /// A name the handler gave it, unique in this handling.
        case name(String)
    }

    /// The event an agent publishes while handling this one: same workflow, caused by this
    /// event, one hop deeper, in the same trace.
    ///
    /// Its ID is derived from (this event's ID, `agent`, `type`, `output`), so handling the same
    /// event again after a crash republishes the same IDs, and consumers drop the duplicates;
    /// see ``EventID/derived(from:agent:type:index:)`` and ``EventID/derived(from:agent:type:name:)``.
    public func child(
        type: String, data: [UInt8], agent: String, output: OutputIdentity, dataSchema: String? = nil,
        key: String? = nil
    ) -> EventEnvelope {
        let childID: EventID
        switch output {
        case .index(let index): childID = EventID.derived(from: id, agent: agent, type: type, index: index)
        case .name(let name): childID = EventID.derived(from: id, agent: agent, type: type, name: name)
        }
        return child(id: childID, type: type, data: data, agent: agent, dataSchema: dataSchema, key: key)
    }

    /// The same, with the ID derived from (this event's ID, `agent`, `index`), `index` counting
    /// the outputs of one handling whatever their type: the derivation before
    /// ``child(type:data:agent:output:dataSchema:key:)``, which the runtime now uses.
    public func child(
        type: String, data: [UInt8], agent: String, index: Int, dataSchema: String? = nil, key: String? = nil
    ) -> EventEnvelope {
        child(
            id: EventID.derived(from: id, agent: agent, index: index), type: type, data: data, agent: agent,
            dataSchema: dataSchema, key: key)
    }

    private func child(
        id childID: EventID, type: String, data: [UInt8], agent: String, dataSchema: String?, key: String?
    ) -> EventEnvelope {
        EventEnvelope(
            id: childID.description, source: "/agents/\(agent)",
            type: type, dataSchema: dataSchema, correlationID: correlationID, causationID: id,
            traceParent: traceParent?.child() ?? .newRoot(), traceState: traceState, hops: hops + 1, key: key,
            data: data, cost: cost, budget: budget)
    }

    /// Whether this event started its workflow.
    public var isRoot: Bool { causationID == nil }
}
