import JSONSchema
import Kafka
import Logging
import Synchronization
import Tracing

/// What the runtime does with one record: read the envelope, guard (hop limit, duplicates,
/// schema), run the handler with retries and a deadline, and hand the outcome to the producer
/// (outputs, activity record, retry or dead letter), each message settling the record's
/// ``InFlightEvent`` when acknowledged.
///
/// With a tracer, each handled record has a consumer span (`process <topic>`) from here to the
/// hand-over of its messages, and each output a producer span (`send <topic>`) until the broker
/// acknowledges it; see ``EventTracing``.
final class EventProcessor: Sendable {
    let agent: String
    let instance: String
    let retryTiers: RetryTiers
    let deadLetterTopic: String
    let policies: AgentPolicies
    let counters = RuntimeCounters()
    let metrics: RuntimeMetrics
    private let handlers: [String: Route]
    private let registry: SchemaRegistry
    private let producer: KafkaProducer
    private let activityProducer: KafkaProducer
    private let dedupe: DedupeWindow
    let watchdog: DeadlineWatchdog
    private let concurrency: AsyncSemaphore
    private let logger: Logger
    /// The logger handlers get: the same, plus their event's metadata.
    private let handlerLogger: Logger
    private let stopping = Atomic<Bool>(false)
    private let tracing: EventTracing
    private let onProduceFailure: @Sendable (KafkaError) -> Void
    /// Timers, state and discovery, lent to each handling.
    let services: HandlerServices
    /// Workflows cancelled so far (from `agentbus.control`).
    let cancellations: WorkflowCancellations
    /// One handling at a time per workflow, for agents that keep state.
    private let workflowLocks = WorkflowLocks()
    /// Looks up the high watermarks of the state changelog's partitions, for a state catch-up.
    private let stateWatermarks: @Sendable () async throws -> [Int32: Int64]
    /// Looks up the high watermarks of the effect journal's partitions, for a journal catch-up.
    private let journalWatermarks: @Sendable () async throws -> [Int32: Int64]

    typealias Route = HandlerRoute

    init(
        agent: String, instance: String, policies: AgentPolicies, concurrency: Int, handlers: [String: Route],
        registry: SchemaRegistry, producer: KafkaProducer, activityProducer: KafkaProducer, handlerLogger: Logger, logger: Logger,
        tracer: any Tracer = NoOpTracer(), services: HandlerServices = HandlerServices(),
        cancellations: WorkflowCancellations = WorkflowCancellations(),
        stateWatermarks: @escaping @Sendable () async throws -> [Int32: Int64] = { [:] },
        journalWatermarks: @escaping @Sendable () async throws -> [Int32: Int64] = { [:] },
        metrics: RuntimeMetrics? = nil,
        onProduceFailure: @escaping @Sendable (KafkaError) -> Void
    ) {
        self.services = services
        self.cancellations = cancellations
        self.stateWatermarks = stateWatermarks
        self.journalWatermarks = journalWatermarks
        self.agent = agent
        self.instance = instance
        self.metrics = metrics ?? RuntimeMetrics(agent: agent)
        self.retryTiers = RetryTiers(agent: agent, policy: policies.retry)
        self.deadLetterTopic = AgentTopics.deadLetter(of: agent)
        self.policies = policies
        self.handlers = handlers
        self.registry = registry
        self.producer = producer
        self.activityProducer = activityProducer
        self.dedupe = DedupeWindow(capacity: policies.dedupeCapacity, window: policies.dedupeWindow)
        self.watchdog = DeadlineWatchdog(
            tick: min(max(policies.handlerDeadline / 10, .milliseconds(10)), .milliseconds(100)))
        self.concurrency = AsyncSemaphore(permits: concurrency)
        self.logger = logger
        self.handlerLogger = handlerLogger
        self.tracing = EventTracing(tracer)
        self.onProduceFailure = onProduceFailure
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// No new records from now on; handlers still running may finish.
    func stop() { stopping.store(true, ordering: .relaxed) }

    // MARK: One record

    /// Processes one record. Returns without releasing `event` only when the work was abandoned
    /// (stopping, its partition revoked, or its state changes not written): it is then marked
    /// abandoned, its offset is never stored, and the record is read again later.
    func process(_ event: InFlightEvent) async {
        let record = event.record
        let receivedAt = EventTime.now().millisecondsSinceEpoch
        var origin = RecordOrigin(topic: record.topic, partition: record.partition, offset: record.offset)
        var attemptsBefore = 0
        let isRetry = retryTiers.contains(record.topic)
        if isRetry {
            let retry = RetryHeaders(record.headers)
            attemptsBefore = retry.attempts
            if let retryOrigin = retry.origin { origin = retryOrigin }
            if let due = retry.due {
                let wait = due - EventTime.now().millisecondsSinceEpoch
                if wait > 0 {
                    // Every retry of one tier has the same delay, so its partitions hold
                    // retries in due order and waiting here holds back only later ones. The
                    // record has storage of its own (PartitionWorker), so the wait pins no batch.
                    guard await backOff(.milliseconds(wait), for: event) else {
                        event.abandon()  // stopping or revoked: read again later
                        return
                    }
                }
            }
        }
        // From here to the hand-over of its messages (after its state changes are acknowledged,
        // when it made any), a stop waits for this record.
        counters.inFlight.add(1, ordering: .relaxed)
        defer { counters.inFlight.subtract(1, ordering: .relaxed) }
        var outcome = Outcome(origin: origin, receivedAt: receivedAt, attempts: attemptsBefore)
        // The record's consumer span (nil without a tracer), ended however processing ends.
        var span: (any Span)?
        defer { span?.end() }

        let envelope: EventEnvelope
        do {
            envelope = try EventEnvelope(record: record)
        } catch {
            span = tracing.startProcessSpan(for: record, envelope: nil, agent: agent, instance: instance)
            return await finish(event, outcome.failed(.poison, "EnvelopeError", error.message), envelope: nil, span: span)
        }
        guard let route = handlers[envelope.type] else {
            if isRetry {
                span = tracing.startProcessSpan(for: record, envelope: envelope, agent: agent, instance: instance)
                return await finish(event, outcome.failed(.poison, "UnhandledType", "\(agent) has no handler for \(envelope.type)"),
                    envelope: envelope, span: span)
            }
            // A type the catalog does not know: a foreign producer's mistake or a type newer than
            // this agent's schemas, which it cannot tell apart. Skipping it would leave no trace,
            // so it is poison, kept in the dead-letter topic with the reason.
            if registry.eventSchema(for: envelope.type) == nil {
                span = tracing.startProcessSpan(for: record, envelope: envelope, agent: agent, instance: instance)
                let unknown = EventAdmission.unknownType(envelope.type)
                return await finish(
                    event, outcome.failed(unknown.failureClass, unknown.errorType, unknown.reason), envelope: envelope, span: span)
            }
            // Another agent's event on a shared topic: not ours to handle or record.
            return event.release()
        }
        span = tracing.startProcessSpan(for: record, envelope: envelope, agent: agent, instance: instance)
        let dedupeKey = DedupeWindow.key(source: envelope.source, id: envelope.id)
        let cancellations = cancellations
        // After a start, the cancellations written before it are read first (at most a few
        // seconds; see AgentRuntime.cancellationsWait), so a cancelled workflow is not handled.
        if !cancellations.isReady {
            guard await cancellations.waitUntilReady(while: { !isStopping && !event.ledger.isRevoked }) else {
                event.abandon()
                tracing.recordAbandoned(on: span)
                return
            }
        }
        // The journal holds the effects and the handled markers of earlier handlings, on any
        // instance: it is read up to where it was when this assignment began before the
        // duplicate check and before any effect.
        let journal = services.effects?.journal
        // A record from a retry topic was failed by an earlier pass, possibly on another
        // instance after this one caught up: the journal is read up to its current end first,
        // so that pass's effects are found (retries are rare; the lookup is cheap).
        if let journal, isRetry || !journal.isCaughtUp(for: event.record.assignmentGeneration) {
            let caughtUp = await catchUp(event: event, what: "effect journal", watermarks: journalWatermarks) { watermarks, generation in
                await journal.catchUp(to: watermarks, generation: generation)
            }
            guard caughtUp else {
                event.abandon()  // stopping or revoked: read again later
                tracing.recordAbandoned(on: span)
                return
            }
        }
        let handledKey = journal.map { _ in EffectJournal.handledKey(event: envelope.id) }
        let admission = EventAdmission.check(
            envelope, schema: route.schema, hopLimit: policies.hopLimit, maxWorkflowCost: policies.maxWorkflowCost,
            now: receivedAt, cancellation: { cancellations.reason(for: $0) }
        ) {
            dedupe.contains(dedupeKey, now: receivedAt) || handledKey.map { journal?.contains($0) ?? false } ?? false
        }
        switch admission {
        case .admitted:
            break
        case .duplicate:
            counters.duplicates.add(1, ordering: .relaxed)
            metrics.duplicates.increment()
            outcome.result = .duplicate
            return await finish(event, outcome, envelope: envelope, span: span)
        case .cancelled(let reason):
            return await finish(event, outcome.cancelled(reason), envelope: envelope, span: span)
        case .rejected(let rejection):
            return await finish(
                event, outcome.failed(rejection.failureClass, rejection.errorType, rejection.reason), envelope: envelope,
                span: span)
        }

        if let state = services.state, !state.isCaughtUp(for: event.record.assignmentGeneration) {
            let caughtUp = await catchUp(event: event, what: "state changelog", watermarks: stateWatermarks) { watermarks, generation in
                await state.catchUp(to: watermarks, generation: generation)
            }
            guard caughtUp else {
                event.abandon()  // stopping or revoked: read again later
                tracing.recordAbandoned(on: span)
                return
            }
        }
        // A stateful handling reads, changes and writes its workflow's state: one at a time per
        // workflow, from before the handler runs until its changes are visible to the next.
        let lockedWorkflow = services.state == nil ? nil : envelope.correlationID
        if let lockedWorkflow, !workflowLocks.tryAcquire(lockedWorkflow) {
            repeat {
                if isStopping || event.ledger.isRevoked {  // read again later
                    event.abandon()
                    tracing.recordAbandoned(on: span)
                    return
                }
                try? await Task.sleep(for: .milliseconds(2))
            } while !workflowLocks.tryAcquire(lockedWorkflow)
        }
        defer { if let lockedWorkflow { workflowLocks.release(lockedWorkflow) } }
        await concurrency.acquire()
        defer { concurrency.release() }
        outcome.startedAt = EventTime.now().millisecondsSinceEpoch
        var attemptInPass = 0
        // Time spent waiting out rate limits (``HandlerFailure/throttle``), bounded by the policy.
        var throttled = Duration.zero
        // Model calls of every attempt: a failed attempt's calls were made (and paid for) too.
        var modelCalls: [ModelCallRecord] = []
        while true {
            attemptInPass += 1
            outcome.attempts += 1
            let context = HandlerContext(
                event: envelope, attempt: outcome.attempts, deadline: .now + policies.handlerDeadline, agent: agent,
                instance: instance, registry: registry, logger: handlerLogger, services: services)
            if isStopping || event.ledger.isRevoked {  // read again later, by this or the next owner
                event.abandon()
                tracing.recordAbandoned(on: span)
                return
            }
            let attemptStart = ContinuousClock.now
            let attempt = await invoke(route.handler, envelope, context, for: event, in: span?.context)
            metrics.handlerDuration.record(duration: ContinuousClock.now - attemptStart)
            if services.effects != nil { modelCalls += context.modelCalls }
            let failure: HandlerFailure
            switch attempt {
            case .failed(let attemptFailure):
                failure = attemptFailure
            case .givenUp:
                event.abandon()
                tracing.recordAbandoned(on: span)
                return
            case .cancelled:
                let reason = cancellations.reason(for: envelope.correlationID) ?? "workflow cancelled"
                return await finish(
                    event, outcome.cancelled(reason), envelope: envelope, modelCalls: modelCalls, span: span)
            case .succeeded:
                if let exceeded = CostBudgetExceeded.crossed(
                    by: context.costAdded, handling: envelope, maxWorkflowCost: policies.maxWorkflowCost)
                {
                    // The handler ran (and its calls were paid): dead-lettered, not rejected.
                    var crossed = outcome.failed(
                        .budget, "CostBudgetExceeded", "\(exceeded) in this handling; its outputs were not sent")
                    crossed.result = .deadLettered
                    return await finish(event, crossed, envelope: envelope, modelCalls: modelCalls, span: span)
                }
                let dedupe = dedupe
                event.onSettled = { dedupe.insert(dedupeKey, now: EventTime.now().millisecondsSinceEpoch) }
                counters.handled.add(1, ordering: .relaxed)
                metrics.handled.increment()
                outcome.result = .ok
                let outputs = context.outputs
                var handledMarker: RuntimeWrite?
                if let journal, let handledKey {
                    // Sent once the outputs are acknowledged, and acknowledged before the offset is
                    // stored: once read back, any instance drops this event as a duplicate. Not
                    // shown to this instance before then (its dedupe window covers it once settled).
                    handledMarker = RuntimeWrite(
                        topic: journal.topic, key: handledKey, value: Array("[\(outputs.map { "\"\($0.envelope.id)\"" }.joined(separator: ","))]".utf8),
                        headers: [
                            KafkaHeader(name: EffectHeader.effect, value: EffectJournal.handledMarker),
                            KafkaHeader(name: EffectHeader.correlationID, value: envelope.correlationID),
                        ])
                }
                return await finish(
                    event, outcome, envelope: envelope, outputs: outputs, writes: context.writes,
                    handledMarker: handledMarker, cost: context.costAdded, modelCalls: modelCalls, span: span)
            }
            if (isStopping && failure.isCancellation) || event.ledger.isRevoked {  // read again later
                event.abandon()
                tracing.recordAbandoned(on: span)
                return
            }
            tracing.recordFailedAttempt(failure, attempt: outcome.attempts, on: span)
            if let throttle = failure.throttle, throttled < policies.maxThrottleWait {
                // A provider asked to slow down: wait as long as it said, then try again without
                // counting the attempt, in this pass or in the total that picks the retry-topic
                // pass (and that the retry topic carries). The partition's worker waits, so its
                // read-ahead fills and the partition is paused: no spinning, no retries burnt.
                let wait = min(throttle, policies.maxThrottleWait - throttled)
                throttled += wait
                counters.throttled.add(1, ordering: .relaxed)
                HandlerContext.$current.withValue(context) {
                    context.logger.debug("rate limited; waiting", metadata: ["wait_ms": "\(wait.wholeMilliseconds)"])
                }
                // Neither the pass's count nor the event's: the retry topics' passes are chosen
                // by the event's attempts, so a counted wait would cut them short.
                attemptInPass -= 1
                outcome.attempts -= 1
                guard await backOff(wait, for: event) else {
                    event.abandon()
                    tracing.recordAbandoned(on: span)
                    return
                }
                continue
            }
            counters.failed.add(1, ordering: .relaxed)
            metrics.failedAttempts.increment()
            HandlerContext.$current.withValue(context) {
                context.logger.warning(
                    "handler failed", metadata: ["class": "\(failure.failureClass.rawValue)", "error": "\(failure.message)"])
            }
            switch policies.retry.decision(after: failure, attemptInPass: attemptInPass, attempts: outcome.attempts) {
            case .retryInPlace(let backoff):
                guard await backOff(backoff, for: event) else {
                    event.abandon()
                    tracing.recordAbandoned(on: span)
                    return  // stopping or revoked: read again later
                }
                continue
            case .retryTopic(let delay):
                var failed = outcome.failed(.transient, failure.errorType, failure.message)
                failed.result = .retried
                failed.retryDelay = delay
                failed.retryDue = EventTime.now().millisecondsSinceEpoch + delay.wholeMilliseconds
                return await finish(event, failed, envelope: envelope, modelCalls: modelCalls, span: span)
            case .deadLetter:
                return await finish(event, outcome.failed(failure.failureClass, failure.errorType, failure.message),
                    envelope: envelope, modelCalls: modelCalls, span: span)
            }
        }
    }

    /// Waits out an in-place backoff or a retry's due time in short slices, so neither a stop
    /// nor a revocation waits for it. Returns false when the instance is stopping or `event`'s partition was revoked.
    private func backOff(_ duration: Duration, for event: InFlightEvent) async -> Bool {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            if isStopping || event.ledger.isRevoked { return false }
            do { try await Task.sleep(for: min(end - .now, .milliseconds(50))) } catch { return false }
        }
        return !isStopping && !event.ledger.isRevoked
    }

    /// Runs one attempt as its own task, raced against its deadline (``HandlerAttempt``): at
    /// the deadline the worker moves on whether or not the handler heeds the cancellation.
    ///
    /// `spanContext` (the record's consumer span, when tracing) is the handler's
    /// `ServiceContext.current`, so spans the handler starts are children of the consumer span
    /// and its log lines can carry the trace.
    private func invoke(
        _ handler: EventHandler, _ envelope: EventEnvelope, _ context: HandlerContext, for event: InFlightEvent,
        in spanContext: ServiceContext?
    ) async -> AttemptResult {
        let attempt = HandlerAttempt(
            deadline: context.deadline, correlationID: envelope.correlationID, counters: counters)
        // A cancellation read between admission and here found no attempt to stop.
        if cancellations.contains(envelope.correlationID) { attempt.expire(.cancelled) }
        let watch = watchdog.watch(attempt)
        event.running(attempt)
        // A retirement between the caller's check and `running` found no attempt to stop.
        if event.ledger.isRevoked { attempt.expire(.stopped) }
        defer {
            event.running(nil)
            watchdog.unwatch(watch)
        }
        let result = await withTaskCancellationHandler {
            await attempt.run {
                try await HandlerContext.$current.withValue(context) {
                    guard let spanContext else { return try await handler.body(envelope, context) }
                    try await ServiceContext.$current.withValue(spanContext) { try await handler.body(envelope, context) }
                }
            }
        } onCancel: {
            attempt.expire(.stopped)
        }
        switch result {
        case .succeeded:
            return .succeeded
        case .expired:
            return .failed(HandlerFailure(
                attemptError: CancellationError(), pastDeadline: true, handlerDeadline: policies.handlerDeadline))
        case .stopped:
            return .givenUp
        case .cancelled:
            return .cancelled
        case .failed(let error):
            return .failed(HandlerFailure(
                attemptError: error, pastDeadline: ContinuousClock.now >= context.deadline,
                handlerDeadline: policies.handlerDeadline))
        }
    }

    /// How one handler attempt ended, for the retry loop.
    private enum AttemptResult {
        case succeeded
        case failed(HandlerFailure)
        /// Given up by a stop or a revocation, not failed: the event is read again later.
        case givenUp
        /// Given up because its workflow was cancelled: recorded as cancelled, not read again.
        case cancelled
    }

    /// Waits until a replica (the state store, the effect journal) holds every record written
    /// before this record's assignment began. Returns false when stopping or revoked first.
    private func catchUp(
        event: InFlightEvent, what: String, watermarks lookUp: @Sendable () async throws -> [Int32: Int64],
        replica: @escaping @Sendable ([Int32: Int64], UInt64) async -> Bool
    ) async -> Bool {
        let generation = event.record.assignmentGeneration
        while !isStopping, !event.ledger.isRevoked {
            do {
                let watermarks = try await lookUp()
                return await withTaskGroup(of: Bool.self) { group in
                    group.addTask { await replica(watermarks, generation) }
                    group.addTask {
                        // Also ends when cancelled (the replica caught up first): the group
                        // returns only once both tasks have ended.
                        while !Task.isCancelled, !self.isStopping, !event.ledger.isRevoked {
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                        return false
                    }
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }
            } catch {
                logger.warning("\(what) not reachable yet; waiting", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        return false
    }

    // MARK: Producing the outcome

    /// Hands the outcome's messages to the producer and releases the runtime's hold on `event`;
    /// each message settles `event` when the broker acknowledges it. A handling that changed
    /// state waits here for those changes (and its timers) to be acknowledged before the rest
    /// goes out; if they are not, nothing else is sent and `event` is abandoned.
    ///
    /// With a tracer, each output gets its send span here, a child of the record's `span`, and
    /// the output's `traceparent` becomes that span's context before it is produced (its ID and
    /// everything else stay as the handler published them).
    private func finish(
        _ event: InFlightEvent, _ outcome: Outcome, envelope: EventEnvelope?, outputs: [HandlerContext.Output] = [],
        writes: [RuntimeWrite] = [], handledMarker: RuntimeWrite? = nil, cost: Double = 0,
        modelCalls: [ModelCallRecord] = [], span: (any Span)? = nil
    ) async {
        if event.ledger.isRetired {
            // The partition was given up while this ran: its next owner handles the record
            // again, so nothing of this attempt is published.
            event.abandon()
            tracing.recordAbandoned(on: span)
            return
        }
        var outcome = outcome
        outcome.finishedAt = EventTime.now().millisecondsSinceEpoch
        if outcome.startedAt == 0 { outcome.startedAt = outcome.finishedAt }
        let record = event.record
        let stamp = OutputStamp(input: envelope, cost: cost, policies: policies)
        // A handling that changed state writes those changes first, with its timers; the rest
        // waits for their acknowledgement (see StateWriteAcknowledgement).
        let stateWrites = services.state == nil ? [] : writes.filter { $0.stateChange != nil }
        let otherWrites = writes.filter { $0.stateChange == nil }
        // The handled marker waits for the outputs and writes (see HandledMarkerGate); the event
        // holds one more message meanwhile, so its offset is not stored before the marker is.
        var gate: HandledMarkerGate?
        let messages = outputs.count + stateWrites.count + otherWrites.count
        if let handledMarker {
            event.expect(1)
            if messages == 0 {
                await sendHandledMarker(handledMarker, for: event)
            } else {
                gate = HandledMarkerGate(event: event, messages: messages, counters: counters) { gate in
                    Task {
                        await self.sendHandledMarker(handledMarker, for: event)
                        withExtendedLifetime(gate) {}
                    }
                }
            }
        }
        if let state = services.state, !stateWrites.isEmpty {
            let firstWrites = stateWrites + otherWrites
            let acknowledgement = StateWriteAcknowledgement(writes: firstWrites.count, next: gate ?? event)
            // Shown to this instance's next handlings at once, before being sent: sent first, a
            // change could be read back before being shown, and then never be cleared. The
            // workflow stays held until they are acknowledged, so its next handling reads them
            // and writes after them.
            state.applyLocal(stateWrites)
            // A revocation past its deadline or a stop past the shutdown deadline gives the
            // wait up (InFlightEvent.stopAttempt), as it gives up a handler.
            event.waiting(for: acknowledgement)
            for write in firstWrites {
                // Given up, nothing more is sent: a write that cannot land would only wait for
                // queue space.
                guard !acknowledgement.isGivenUp else { break }
                if await !send(write, for: event, reportingTo: acknowledgement) {
                    acknowledgement.giveUp()
                    break
                }
            }
            let acknowledged = await acknowledgement.acknowledged()
            event.waiting(for: nil)
            guard acknowledged else {
                // Not all written: a delivery failed (which stops the instance), or the
                // partition or the instance gave up waiting. The event is handled again, by the
                // next owner or after a restart, so nothing else of this handling goes out.
                for write in stateWrites { state.withdraw(write) }
                event.abandon()
                tracing.recordAbandoned(on: span)
                return
            }
        }
        for output in outputs {
            var sent = output.envelope
            stamp.apply(to: &sent)
            let sendSpan = span.flatMap {
                tracing.startSendSpan(for: &sent, topic: output.topic, parent: $0.context, agent: agent)
            }
            await send(
                topic: output.topic, key: sent.key, value: sent.data, headers: sent.kafkaHeaders, for: event,
                reportingTo: gate, span: sendSpan)
        }
        if stateWrites.isEmpty {
            for write in otherWrites { await send(write, for: event, reportingTo: gate) }
        }
        switch outcome.result {
        case .retried:
            counters.retried.add(1, ordering: .relaxed)
            metrics.retried.increment()
            var headers = record.headers.compactMap { header in
                RuntimeHeader.all.contains(header.name) ? nil : KafkaHeader(name: header.name, value: header.value?.array)
            }
            headers.append(KafkaHeader(name: RuntimeHeader.retryDue, value: String(outcome.retryDue)))
            headers.append(KafkaHeader(name: RuntimeHeader.attempts, value: String(outcome.attempts)))
            headers.append(KafkaHeader(name: RuntimeHeader.retryOrigin, value: outcome.origin.description))
            await send(
                topic: retryTiers.topic(for: outcome.retryDelay), key: record.key, value: record.value, headers: headers,
                for: event)
        case .deadLettered, .rejected:
            counters.deadLettered.add(1, ordering: .relaxed)
            let failureClass = outcome.failureClass ?? .poison
            metrics.deadLettered[failureClass]?.increment()
            let headers = DeadLetter.headers(
                original: record, origin: outcome.origin, group: agent, agent: agent, instance: instance,
                failureClass: failureClass, attempts: outcome.attempts, errorType: outcome.errorType ?? "Error",
                reason: outcome.error ?? "", trace: trace(outcome, envelope: envelope), failedAt: .now())
            await send(topic: deadLetterTopic, key: record.key, value: record.value, headers: headers, for: event)
            logger.error(
                "event dead-lettered",
                metadata: [
                    "agent": "\(agent)", "class": "\(failureClass.rawValue)", "event_id": "\(envelope?.id ?? "-")",
                    "correlation_id": "\(envelope?.correlationID ?? "-")", "origin": "\(outcome.origin)",
                    "error": "\(outcome.error ?? "")",
                ])
        case .ok, .duplicate, .cancelled:
            break
        }
        let activity = ActivityRecord(
            agent: agent, instance: instance, eventId: envelope?.id, type: envelope?.type, source: envelope?.source,
            correlationId: envelope?.correlationID, causationId: envelope?.causationID, topic: record.topic,
            partition: record.partition, offset: record.offset, receivedAt: outcome.receivedAt,
            startedAt: outcome.startedAt, finishedAt: outcome.finishedAt, outcome: outcome.result,
            attempts: outcome.attempts, published: outputs.map(\.envelope.id), failureClass: outcome.failureClass,
            error: outcome.error, modelCalls: modelCalls)
        await send(
            topic: AgentTopics.activity, key: envelope?.correlationID, value: activity.jsonBytes, headers: [], for: event,
            through: activityProducer)
        tracing.recordOutcome(outcome, on: span)
        if event.ledger.isRetired {
            event.abandon()
            return
        }
        event.release()
    }

    /// Produces one message for `event`. A message librdkafka refuses outright (the producer is
    /// closed, or the topic is unknown) leaves `event` unsettled, so its offset is never stored.
    /// `span`, the message's send span, ends with its delivery report.
    /// `gate`, when given, hears the delivery report instead of `event` and passes it on.
    private func send<Key: KafkaBuffer, Value: KafkaBuffer>(
        topic: String, key: Key?, value: Value, headers: [KafkaHeader], for event: InFlightEvent,
        through producer: KafkaProducer? = nil, reportingTo gate: HandledMarkerGate? = nil, span: (any Span)? = nil
    ) async {
        // Given up meanwhile (a produce can wait for queue space): nothing more goes out for it.
        guard !event.ledger.isRetired else {
            event.abandon()
            return
        }
        event.expect(1)
        let next: KafkaDeliveryCallback = gate ?? event
        let callback: KafkaDeliveryCallback = span.map { SendSpanDelivery(span: $0, next: next) } ?? next
        do {
            try await (producer ?? self.producer).produce(topic: topic, key: key, value: value, headers: headers, callback: callback)
        } catch {
            if let span { EventTracing.endSendSpan(span, error: error) }
            logger.error("cannot produce", metadata: ["topic": "\(topic)", "error": "\(error.message)"])
            onProduceFailure(error)
        }
    }

    /// Produces a timer, state or journal record for `event`, a tombstone when it has no value.
    /// Returns whether the producer took it. `gate`, when given, hears the delivery report.
    @discardableResult
    private func send(_ write: RuntimeWrite, for event: InFlightEvent, reportingTo gate: KafkaDeliveryCallback? = nil) async -> Bool {
        guard !event.ledger.isRetired else {
            event.abandon()
            return false
        }
        event.expect(1)
        let callback: KafkaDeliveryCallback = gate ?? event
        do {
            if let value = write.value {
                try await producer.produce(topic: write.topic, key: write.key, value: value, headers: write.headers, callback: callback)
            } else {
                try await producer.produceTombstone(topic: write.topic, key: write.key, headers: write.headers, callback: callback)
            }
            return true
        } catch {
            logger.error("cannot produce", metadata: ["topic": "\(write.topic)", "error": "\(error.message)"])
            onProduceFailure(error)
            return false
        }
    }

    /// Sends `event`'s handled marker, then gives back the message ``finish`` counted for it
    /// (the marker is counted itself from here). A marker not sent keeps that count: the event
    /// is never done, and is read again.
    private func sendHandledMarker(_ marker: RuntimeWrite, for event: InFlightEvent) async {
        if await send(marker, for: event) { event.release() }
    }

    private func trace(_ outcome: Outcome, envelope: EventEnvelope?) -> String {
        var lines = [
            "\(outcome.errorType ?? "Error"): \(outcome.error ?? "")",
            "  failure class: \((outcome.failureClass ?? .poison).rawValue)",
            "  agent: \(agent) (instance \(instance))",
            "  attempts: \(outcome.attempts)",
            "  first read at: \(outcome.origin)",
        ]
        if let envelope {
            lines.append("  event: \(envelope.type) \(envelope.id) (correlation \(envelope.correlationID), hops \(envelope.hops))")
        }
        return lines.joined(separator: "\n")
    }
}
