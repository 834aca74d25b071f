import AgentBus
import JSONSchema
import Kafka
import Logging

/// Runs an agent's handlers in this process, without Kafka, and says what the runtime would
/// have done with each event: what it published, or why it dead-lettered it, after how many
/// attempts and which waits.
///
/// ```swift
/// let tester = try AgentTester(CreditCheck(), schemas: .load(directory: "schemas"))
/// let result = try await tester.handle(ApplicationReceived(applicationId: "a-1", amount: 5_000))
/// #expect(result.outcome == .handled)
/// #expect(try result.published(CreditChecked.self).first?.score == 720)
/// ```
///
/// It makes the runtime's own decisions, through the same code: the agent's handlers checked
/// against the catalog as at start; the hop limit, duplicates and the input's schema (bytes that
/// are not JSON are poison); errors classified as the runtime does (``NonRetryableError`` is
/// permanent, a payload the Swift type cannot decode is a schema failure, anything else
/// transient); in-place retries with the policy's backoff, passes through `<agent>.retry`, then
/// the dead letter; and the handler deadline.
///
/// Time is a ``ManualClock``: backoffs and retry-topic delays pass on it at once (``handle(_:)``
/// advances it and records them in ``HandlingResult/waits``), and the handlers see it as
/// ``AgentBus/HandlerContext/clock``. A handler that sleeps on that clock waits until the test
/// advances it; advanced past the handler deadline, the attempt is cancelled and counts as a
/// transient `DeadlineExceeded`, as in the runtime. (A handler that sleeps on another clock is
/// not bounded by the deadline here.)
///
/// One tester remembers what it handled, like one runtime instance: the same event (`ce_source`
/// and `ce_id`) handled again within the agent's dedupe window is a ``HandlingResult/Outcome/duplicate``.
public final class AgentTester: Sendable {
    /// The agent's name: its outputs' `ce_source` is `/agents/<name>`.
    public let agentName: String
    public let policies: AgentPolicies
    public let registry: SchemaRegistry
    /// The clock of the handlers, the deadlines and the retry waits.
    public let clock: ManualClock
    /// The instance name handlers see in ``AgentBus/HandlerContext/instance``.
    public let instance: String
    private let routes: [String: HandlerRoute]
    private let dedupe: DedupeWindow
    /// Timers and state, kept in memory: state changes of a handling that succeeded are seen by
    /// the next ones, as the runtime's replica would.
    private let services: HandlerServices
    private let logger: Logger

    /// A tester of `agent`, whose handled types must be in `schemas`.
    ///
    /// Effects (``AgentBus/HandlerContext/effect(_:journal:_:)``, model calls) of an agent that
    /// declares ``AgentBus/Agent/usesEffects`` are journaled in memory: an attempt after a
    /// failure gets the results of the effects an earlier attempt ran, as in the runtime.
    ///
    /// - Parameter modelPrices: what model calls cost. Default: nothing.
    /// - Parameter logger: the handlers' logger. Default: one that drops every line.
    /// - Throws: ``AgentConfigurationError`` where ``AgentRuntime`` would refuse to start the
    ///   agent (a bad name, a type not in the catalog, two handlers for one type, no handler).
    public init(
        _ agent: some Agent, schemas: SchemaRegistry, clock: ManualClock = ManualClock(), instance: String = "test",
        modelPrices: ModelPrices = ModelPrices(),
        logger: Logger = Logger(label: "agentbus.testing", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(AgentConfigurationError) {
        routes = try HandlerRoute.routes(for: agent, registry: schemas, catalog: "the given schema registry")
        agentName = agent.name
        policies = agent.policies
        registry = schemas
        self.clock = clock
        self.instance = instance
        dedupe = DedupeWindow(capacity: agent.policies.dedupeCapacity, window: agent.policies.dedupeWindow)
        self.logger = logger
        services = HandlerServices(
            timersTopic: agent.usesTimers ? AgentTopics.timers(of: agent.name) : nil,
            state: agent.usesState ? StateStore(topic: AgentTopics.state(of: agent.name)) : nil,
            effects: agent.usesEffects
                ? EffectServices(
                    journal: EffectJournal(topic: AgentTopics.journal(of: agent.name)), writer: nil, prices: modelPrices,
                    maxEntryBytes: agent.policies.maxJournalEntryBytes, maxWorkflowCost: agent.policies.maxWorkflowCost)
                : nil,
            declaredOutputs: agent.produces.isEmpty ? nil : Set(agent.produces))
    }

    /// Effect results journaled so far (in memory), for tests of what an agent records.
    public var journaledEffects: Int { services.effects?.journal.count ?? 0 }

    /// The agent's state for `key`, as the handlings so far left it (nil when it has none).
    public func state<Value: Decodable>(_ type: Value.Type, for key: String) throws -> Value? {
        guard let bytes = services.state?.value(for: key) else { return nil }
        return try JSONPayload.decode(Value.self, from: bytes)
    }

    /// A tester of one handler, as the only handler of an agent named `agentName` with `policies`.
    public convenience init(
        _ handler: EventHandler, agentName: String = "test-agent", policies: AgentPolicies = AgentPolicies(),
        schemas: SchemaRegistry, clock: ManualClock = ManualClock(), instance: String = "test",
        logger: Logger = Logger(label: "agentbus.testing", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(AgentConfigurationError) {
        try self.init(
            OneHandlerAgent(name: agentName, policies: policies, handler: handler), schemas: schemas, clock: clock,
            instance: instance, logger: logger)
    }

    // MARK: Handling

    /// Handles a root event with `payload`, built as ``AgentBus/EventPublisher`` builds one
    /// (validated, a new workflow unless `correlationID` is given, the schema's key).
    ///
    /// - Throws: ``AgentBus/PublishError`` when the payload fails its schema or its type is not
    ///   in the catalog, as the publisher would; to test how the agent treats such an event,
    ///   hand it an envelope instead.
    public func handle<Event: TypedEvent>(
        _ payload: Event, key: String? = nil, correlationID: String? = nil, source: String = "/test"
    ) async throws(PublishError) -> HandlingResult {
        let data: [UInt8]
        do { data = try payload.jsonPayload() } catch { throw .encoding(error) }
        let (envelope, _) = try EventPublisher.prepare(
            type: Event.eventType, payload: data, key: key, correlationID: correlationID, registry: registry,
            source: source)
        return await handle(envelope)
    }

    /// Handles `envelope` as the runtime would once it arrived on Kafka: it goes through its
    /// Kafka headers and back first, so the handler sees exactly what it would see there.
    public func handle(_ envelope: EventEnvelope) async -> HandlingResult {
        let topic = registry.eventSchema(for: envelope.type)?.topic ?? "unknown"
        return await handle(
            record: KafkaRecord(
                topic: topic, key: envelope.key.map { Array($0.utf8) }, value: envelope.data,
                headers: envelope.kafkaHeaders))
    }

    /// Handles a Kafka record as read from one of the agent's event topics: to test records
    /// written by other clients, or that are not events at all (poison).
    public func handle(record: KafkaRecord) async -> HandlingResult {
        let envelope: EventEnvelope
        do {
            envelope = try EventEnvelope(record: record)
        } catch {
            let rejection = EventAdmission.Rejection(failureClass: .poison, errorType: "EnvelopeError", reason: error.message)
            return HandlingResult(
                input: nil, outcome: .deadLettered(.poison), outputs: [],
                deadLetter: .init(failureClass: .poison, errorType: rejection.errorType, reason: rejection.reason),
                attempts: 0, waits: [])
        }
        guard let route = routes[envelope.type] else {
            // A type the catalog does not know: dead-lettered, as in the runtime.
            if registry.eventSchema(for: envelope.type) == nil {
                let unknown = EventAdmission.unknownType(envelope.type)
                return HandlingResult(
                    input: envelope, outcome: .deadLettered(unknown.failureClass), outputs: [],
                    deadLetter: .init(failureClass: unknown.failureClass, errorType: unknown.errorType, reason: unknown.reason),
                    attempts: 0, waits: [])
            }
            return HandlingResult(input: envelope, outcome: .notHandled, outputs: [], deadLetter: nil, attempts: 0, waits: [])
        }
        let dedupeKey = DedupeWindow.key(source: envelope.source, id: envelope.id)
        var attempts = 0
        var waits: [HandlingResult.Wait] = []
        var modelCalls: [ModelCallRecord] = []
        func deadLettered(_ failureClass: FailureClass, _ errorType: String, _ reason: String) -> HandlingResult {
            HandlingResult(
                input: envelope, outcome: .deadLettered(failureClass), outputs: [],
                deadLetter: .init(failureClass: failureClass, errorType: errorType, reason: reason),
                attempts: attempts, waits: waits)
        }
        // One pass per iteration: the first read, then each read back from `<agent>.retry`,
        // where the runtime checks the event again before handling it.
        while true {
            let admission = EventAdmission.check(
                envelope, schema: route.schema, hopLimit: policies.hopLimit, maxWorkflowCost: policies.maxWorkflowCost,
                now: milliseconds
            ) {
                dedupe.contains(dedupeKey, now: milliseconds)
            }
            switch admission {
            case .admitted:
                break
            case .duplicate:
                return HandlingResult(
                    input: envelope, outcome: .duplicate, outputs: [], deadLetter: nil, attempts: attempts, waits: waits)
            case .rejected(let rejection):
                return deadLettered(rejection.failureClass, rejection.errorType, rejection.reason)
            case .cancelled:
                preconditionFailure("the tester cancels no workflow, so admission cannot say cancelled")
            }
            var attemptInPass = 0
            // Time spent waiting out rate limits in this pass, bounded by the policy (as in the runtime).
            var throttled = Duration.zero
            passes: while true {
                attemptInPass += 1
                attempts += 1
                let deadline = clock.now.advanced(by: policies.handlerDeadline)
                let context = HandlerContext(
                    event: envelope, attempt: attempts, clock: clock, deadline: deadline, agent: agentName,
                    instance: instance, registry: registry, logger: logger, services: services)
                let failure = await attempt(route.handler, envelope, context, until: deadline)
                modelCalls += context.modelCalls
                if failure == nil, let exceeded = CostBudgetExceeded.crossed(
                    by: context.costAdded, handling: envelope, maxWorkflowCost: policies.maxWorkflowCost)
                {
                    var result = deadLettered(.budget, "CostBudgetExceeded", "\(exceeded) in this handling; its outputs were not sent")
                    result.modelCalls = modelCalls
                    result.cost = context.costAdded
                    return result
                }
                guard let failure else {
                    dedupe.insert(dedupeKey, now: milliseconds)
                    // Stamped as the runtime stamps them: the workflow's cost, a root's deadline.
                    let stamp = OutputStamp(input: envelope, cost: context.costAdded, policies: policies)
                    let outputs = context.outputs.map { output in
                        var sent = output.envelope
                        stamp.apply(to: &sent)
                        return HandlingResult.Output(envelope: sent, topic: output.topic)
                    }
                    let writes = context.writes
                    services.state?.applyLocal(writes)
                    var result = HandlingResult(
                        input: envelope, outcome: .handled, outputs: outputs, deadLetter: nil, attempts: attempts,
                        waits: waits)
                    result.timers = writes.filter { $0.topic == services.timersTopic }.map(HandlingResult.TimerChange.init)
                    result.modelCalls = modelCalls
                    result.cost = context.costAdded
                    return result
                }
                if let throttle = failure.throttle, throttled < policies.maxThrottleWait {
                    // A provider's 429: waited out, and not counted as an attempt, as in the runtime.
                    let wait = min(throttle, policies.maxThrottleWait - throttled)
                    throttled += wait
                    waits.append(.throttled(wait))
                    clock.advance(by: wait)
                    attemptInPass -= 1
                    attempts -= 1
                    continue
                }
                switch policies.retry.decision(after: failure, attemptInPass: attemptInPass, attempts: attempts) {
                case .retryInPlace(let backoff):
                    waits.append(.backoff(backoff))
                    clock.advance(by: backoff)
                case .retryTopic(let delay):
                    waits.append(.retryTopic(delay))
                    clock.advance(by: delay)
                    break passes
                case .deadLetter:
                    return deadLettered(failure.failureClass, failure.errorType, failure.message)
                }
            }
        }
    }

    /// Runs one attempt as its own task, cancelled when the clock reaches the deadline, as the
    /// runtime's watchdog cancels it. Returns nil on success.
    private func attempt(
        _ handler: EventHandler, _ envelope: EventEnvelope, _ context: HandlerContext, until deadline: ManualClock.Instant
    ) async -> HandlerFailure? {
        let task = Task {
            try await HandlerContext.$current.withValue(context) { try await handler.body(envelope, context) }
        }
        let clock = clock
        let watch = Task {
            do {
                try await clock.sleep(until: deadline, counted: false)
                task.cancel()
            } catch {}  // the attempt ended first
        }
        defer { watch.cancel() }
        do {
            try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
            // One advance can wake the handler's own sleep and the deadline together; the
            // runtime would have cancelled an attempt still running at its deadline.
            guard clock.now <= deadline else {
                return HandlerFailure(
                    attemptError: CancellationError(), pastDeadline: true, handlerDeadline: policies.handlerDeadline)
            }
            return nil
        } catch {
            return HandlerFailure(
                attemptError: error, pastDeadline: clock.now >= deadline, handlerDeadline: policies.handlerDeadline)
        }
    }

    /// The dedupe window's time: the manual clock's, in milliseconds.
    private var milliseconds: Int64 {
        let (seconds, attoseconds) = clock.now.offset.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// The agent a single handler is tested as.
private struct OneHandlerAgent: Agent {
    let name: String
    let policies: AgentPolicies
    let handler: EventHandler
    var handlers: [EventHandler] { handler }
}
