import Logging
import Synchronization

/// What a handler gets besides its event: the envelope, its attempt and deadline, a logger, a
/// clock, and ``publish(_:key:name:)`` for the events it emits.
///
/// Events published here are validated at once but sent only when the handler returns: a
/// failed attempt publishes nothing, and a retried one publishes the same event IDs (derived
/// from the input's ID, the agent, the output's type and its index within that type or its
/// name), so consumers drop any duplicates left by a crash.
public final class HandlerContext: Sendable {
    /// The event being handled.
    public let event: EventEnvelope
    /// 1 for the first attempt, counting attempts made before a pass through `<agent>.retry`.
    /// An attempt a provider's 429 ended (``AgentPolicies/maxThrottleWait``) does not count: the
    /// next one has its number.
    public let attempt: Int
    /// When this attempt is cancelled, on the continuous clock. Under a test clock (see
    /// ``clock``) it is the real instant the deadline would be, read when the attempt started;
    /// ``timeRemaining`` follows the test clock.
    public let deadline: ContinuousClock.Instant
    public let agent: String
    public let instance: String
    /// The clock of this handling: `ContinuousClock` in the runtime, a manual clock in tests.
    ///
    /// A handler that waits (a pause between calls, a poll) should sleep on it, e.g.
    /// `try await context.clock.sleep(for: .seconds(1))`, so tests can pass the time at once
    /// and the handler's deadline is measured on the same clock as its waits.
    public let clock: any Clock<Duration>
    let registry: SchemaRegistry
    let baseLogger: Logger
    let services: HandlerServices
    private let remaining: @Sendable () -> Duration
    private let state = Mutex(Outputs())

    /// One output, validated, waiting for the handler to return.
    package struct Output: Sendable {
        package var envelope: EventEnvelope
        package var topic: String
    }

    /// The outputs so far, with what their IDs are derived from.
    struct Outputs {
        var list: [Output] = []
        /// Unnamed outputs so far, per event type: the next one's index.
        var countByType: [String: Int] = [:]
        var names: Set<String> = []
        /// Timers set or cancelled and state changed, in order.
        var writes: [RuntimeWrite] = []
        /// This handling's state changes so far, by key (nil: deleted), so it reads its writes.
        var stateChanges: [String: [UInt8]?] = [:]
        /// Names this handling's state writes (see ``StateHeader/writeID``); set by the first.
        var stateWritesID: String?
        /// Cost this handling added to its workflow's (see ``addCost(_:)``).
        var cost: Double = 0
        /// Effects run or replayed so far, by name: two may not share one.
        var effectNames: Set<String> = []
        /// Unnamed model calls so far: the next one's index (`chat-<index>`).
        var chatCount = 0
        /// Model calls so far, for the activity record.
        var modelCalls: [ModelCallRecord] = []
    }

    /// Runs `body` on the outputs so far, under their lock.
    func withOutputs<R>(_ body: (inout Outputs) -> R) -> R { state.withLock { body(&$0) } }

    /// A context on the continuous clock: the runtime's.
    package convenience init(
        event: EventEnvelope, attempt: Int, deadline: ContinuousClock.Instant, agent: String, instance: String,
        registry: SchemaRegistry, logger: Logger, services: HandlerServices = HandlerServices()
    ) {
        self.init(
            event: event, attempt: attempt, clock: ContinuousClock(), deadline: deadline, agent: agent,
            instance: instance, registry: registry, logger: logger, services: services)
    }

    /// A context whose deadline is an instant of `clock`.
    package init<C: Clock>(
        event: EventEnvelope, attempt: Int, clock: C, deadline: C.Instant, agent: String, instance: String,
        registry: SchemaRegistry, logger: Logger, services: HandlerServices = HandlerServices()
    ) where C.Duration == Duration {
        self.event = event
        self.attempt = attempt
        self.clock = clock
        let remaining: @Sendable () -> Duration = { clock.now.duration(to: deadline) }
        self.remaining = remaining
        self.deadline = (deadline as? ContinuousClock.Instant) ?? ContinuousClock.now + remaining()
        self.agent = agent
        self.instance = instance
        self.registry = registry
        self.baseLogger = logger
        self.services = services
    }

    /// The outputs published so far, in publishing order.
    package var outputs: [Output] { state.withLock { $0.list } }
    /// The timers and state changes so far, in order.
    package var writes: [RuntimeWrite] { state.withLock { $0.writes } }
    /// The model calls so far, in the order they ended.
    package var modelCalls: [ModelCallRecord] { state.withLock { $0.modelCalls } }

    /// A logger whose every line carries `agent`, `instance`, `event_id`, `event_type` and
    /// `correlation_id` (and `attempt` after the first).
    ///
    /// The metadata comes from a metadata provider reading the handler's task-local context, so
    /// it is built only for lines that are actually written: a `debug` line at level `info`
    /// costs nothing.
    public var logger: Logger { baseLogger }

    /// The context of the handler running in this task, for the metadata provider.
    @TaskLocal package static var current: HandlerContext?

    /// Adds the running handler's event to every line its logger writes.
    static let metadataProvider = Logger.MetadataProvider {
        guard let context = HandlerContext.current else { return [:] }
        var metadata: Logger.Metadata = [
            "agent": "\(context.agent)", "instance": "\(context.instance)", "event_id": "\(context.event.id)",
            "event_type": "\(context.event.type)", "correlation_id": "\(context.event.correlationID)",
        ]
        if context.attempt > 1 { metadata["attempt"] = "\(context.attempt)" }
        return metadata
    }

    /// Publishes `payload` as a child of the handled event: same correlation ID, causation =
    /// the handled event, one hop deeper, in the same trace. Returns the envelope to be sent.
    ///
    /// The output's ID is derived from (the handled event's ID, the agent, the output's type, and
    /// its index among this handling's outputs of that type, or `name` when given), so a retry
    /// or a re-run publishes the same IDs and consumers drop the duplicates. Outputs of
    /// different types may be published in any order, concurrently too; outputs of the SAME type
    /// published concurrently (from a task group, say) need a `name` each, or their indices, and
    /// so their IDs, follow the order in which the tasks happened to run.
    ///
    /// When a tracer is bootstrapped, the `traceparent` actually sent is that of the output's
    /// producer span (a child of this handler's consumer span), started when the output is sent;
    /// the returned envelope has a child span ID of the input's trace in its place, as without a
    /// tracer. Everything else, the ID included, is sent as returned.
    ///
    /// - Parameter name: identifies the output within this handling instead of its index; two
    ///   outputs of one handling may not share a name (whatever their types).
    /// - Throws: ``PublishError`` when the payload fails its schema, its type is unknown, or
    ///   `name` was already used in this handling (`.duplicateOutputName`); such an error is not
    ///   retried (it is a bug in the agent, not a passing fault).
    @discardableResult
    public func publish<Event: TypedEvent>(
        _ payload: Event, key: String? = nil, name: String? = nil
    ) throws(PublishError) -> EventEnvelope {
        let data: [UInt8]
        do { data = try payload.jsonPayload() } catch { throw .encoding(error) }
        return try publish(type: Event.eventType, payload: data, key: key, name: name)
    }

    /// Publishes a JSON payload of `type` as a child of the handled event; IDs as in
    /// ``publish(_:key:name:)``.
    @discardableResult
    public func publish(
        type: String, payload: [UInt8], key: String? = nil, name: String? = nil
    ) throws(PublishError) -> EventEnvelope {
        let schema = try outputSchema(type)
        guard schema.validator.isValid(payload) else {
            throw .invalidPayload(type: type, violations: schema.validator.validate(payload))
        }
        let published: EventEnvelope? = state.withLock { state in
            let output: EventEnvelope.OutputIdentity
            if let name {
                guard state.names.insert(name).inserted else { return nil }
                output = .name(name)
            } else {
                let index = state.countByType[type, default: 0]
                state.countByType[type] = index + 1
                output = .index(index)
            }
            var child = event.child(type: type, data: payload, agent: agent, output: output, dataSchema: schema.id)
            child.key = key ?? EventPublisher.schemaKey(payload, schema) ?? child.correlationID
            state.list.append(Output(envelope: child, topic: schema.topic))
            return child
        }
        guard let published else {
            throw .duplicateOutputName(name ?? "", input: "\(event.type) \(event.id)")
        }
        return published
    }

    /// How long this attempt has left.
    public var timeRemaining: Duration { remaining() }

    /// The schema of an output of `type`: one the catalog knows and the agent declares it
    /// produces (when it declares any).
    func outputSchema(_ type: String) throws(PublishError) -> EventSchema {
        guard let schema = registry.eventSchema(for: type) else {
            throw .unknownType(type, suggestions: registry.suggestions(for: type))
        }
        if let declared = services.declaredOutputs, !declared.contains(type) {
            throw .undeclaredType(type, agent: agent)
        }
        return schema
    }
}

