import JSONSchema

/// What an agent reads and writes on Kafka, worked out from its definition and the schema
/// catalog without connecting: what its runtime subscribes to and sends to, what an operator must
/// create for it and grant it (`agentbus topics acl`), and what `<agent> --describe` prints.
public struct AgentDescription: Sendable, Hashable {
    public var agent: String
    public var version: String
    /// Its consumer group: the agent's name.
    public var group: String
    /// The event types it handles, and those it declares it publishes.
    public var consumes: [String]
    public var produces: [String]
    /// Topics read in its consumer group: its handled types' topics, its retry tiers, and its
    /// timers topic when it uses timers.
    public var subscribes: [String]
    /// Topics every instance reads whole, outside the group (assigned, nothing committed):
    /// cancellations, the registry, heartbeats, and its state changelog and effect journal when
    /// it keeps them.
    public var follows: [String]
    /// Topics of the types it declares it publishes, or of every catalog type when it declares
    /// none (it may publish any of them).
    public var outputs: [String]
    /// Every topic it writes: its outputs, its retry tiers and dead-letter topic, its timers,
    /// state and journal topics when it uses them, and its activity records, heartbeats and
    /// registry record (``AgentTopics/writtenByAgents``; never `agentbus.control`).
    public var writes: [String]

    /// Checks `agent` against `registry` as the runtime does.
    ///
    /// - Throws: ``AgentConfigurationError`` for a bad agent name, a handled type `registry`
    ///   does not know (`catalog` names it in the message), or two handlers for one type.
    public init(agent: some Agent, registry: SchemaRegistry, catalog: String) throws(AgentConfigurationError) {
        let routes = try HandlerRoute.routes(for: agent, registry: registry, catalog: catalog)
        let delays = agent.policies.retry.retryTopicDelays
        self.agent = agent.name
        version = agent.version
        group = agent.name
        consumes = routes.keys.sorted()
        produces = agent.produces
        subscribes = Set(routes.values.map(\.schema.topic)).sorted()
            + AgentTopics.retryTiers(of: agent.name, delays: delays)
            + (agent.usesTimers ? [AgentTopics.timers(of: agent.name)] : [])
        follows = [AgentTopics.control, AgentTopics.registry, AgentTopics.heartbeats]
            + (agent.usesState ? [AgentTopics.state(of: agent.name)] : [])
            + (agent.usesEffects ? [AgentTopics.journal(of: agent.name)] : [])
        let outputs = agent.produces.isEmpty
            ? registry.topics : Set(agent.produces.compactMap { registry.eventSchema(for: $0)?.topic }).sorted()
        self.outputs = outputs
        let bookkeeping = [
            AgentTopics.retryTiers(of: agent.name, delays: delays), [AgentTopics.deadLetter(of: agent.name)],
            agent.usesTimers ? [AgentTopics.timers(of: agent.name)] : [],
            agent.usesState ? [AgentTopics.state(of: agent.name)] : [],
            agent.usesEffects ? [AgentTopics.journal(of: agent.name)] : [],
            AgentTopics.writtenByAgents,
        ].joined()
        writes = outputs + bookkeeping.filter { !outputs.contains($0) }
    }

    /// The description as JSON, one object whose keys are the property names.
    public var jsonBytes: [UInt8] {
        var writer = JSONBytesWriter()
        writer.field("agent", agent)
        writer.field("version", version)
        writer.field("group", group)
        writer.field("consumes", consumes)
        writer.field("produces", produces)
        writer.field("subscribes", subscribes)
        writer.field("follows", follows)
        writer.field("outputs", outputs)
        writer.field("writes", writes)
        return writer.finish()
    }

    /// Reads a description as ``jsonBytes`` writes it (unknown keys are ignored).
    ///
    /// - Throws: ``RuntimeRecordError`` when the bytes are not a JSON object or a field is
    ///   missing or of the wrong type.
    public init(json bytes: some Collection<UInt8>) throws(RuntimeRecordError) {
        let fields = try RuntimeRecordFields(bytes, kind: "agent description")
        agent = try fields.string("agent")
        version = try fields.string("version")
        group = try fields.string("group")
        consumes = try fields.strings("consumes")
        produces = try fields.strings("produces")
        subscribes = try fields.strings("subscribes")
        follows = try fields.strings("follows")
        outputs = try fields.strings("outputs")
        writes = try fields.strings("writes")
    }
}
