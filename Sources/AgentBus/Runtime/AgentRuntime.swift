import Foundation
import JSONSchema
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Tracing

/// Runs one instance of an agent: joins the agent's consumer group, reads its event topics and
/// its retry topics (`<agent>.retry.<delay>`), and hands each event to its handler, with
/// at-least-once delivery, retries, dead letters, activity records and heartbeats.
///
/// A `Service`: run it in a `ServiceGroup` (``AgentCommand`` does) and it stops gracefully on
/// SIGTERM or SIGINT: it stops reading, lets in-flight handlers finish within the shutdown
/// deadline, waits for their outputs to be acknowledged, commits, and leaves the group.
/// Whatever was not finished is read again by the next owner of its partition.
public final class AgentRuntime: Service, Sendable {
    public let agentName: String
    public let configuration: AgentRuntimeConfiguration
    /// The topics the instance reads: its handled types' topics and its retry topics (one per
    /// delay tier of its retry policy).
    public let topics: [String]
    private let version: String
    private let consumes: [String]
    private let produces: [String]
    private let capabilities: [String]
    /// Every topic the instance writes (``AgentDescription/writes``): its outputs' topics (every
    /// catalog type's when it declares none), its retry tiers, dead letters, bookkeeping and the
    /// runtime topics; looked up at start.
    private let writtenTopics: [String]
    let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let activityProducer: KafkaProducer
    let processor: EventProcessor
    /// Fires the agent's durable timers; nil when it uses none.
    private let timers: TimerService?
    /// Reads cancellations, the registry, heartbeats and the state changelog.
    private let follower: RuntimeFollower
    let circuitBreakers: [CircuitBreaker]
    private let logger: Logger
    private let startedAt = EventTime.now().millisecondsSinceEpoch
    private let state = Mutex(State())
    /// When the stop's last steps must be done by; set when a graceful stop begins.
    private let stopDeadline = Mutex<ContinuousClock.Instant?>(nil)
    /// Whether the consumer holds an assignment from its group (possibly of no partitions): set
    /// when one arrives, cleared when it is revoked. For `GET /readyz`.
    let hasAssignment = Atomic<Bool>(false)
    /// Whether a broker answered lately, for `GET /readyz`.
    let brokerReachability = BrokerReachability()

    private struct State {
        var workers: [KafkaTopicPartition: PartitionWorker] = [:]
        var stopRequested = false
        var failure: KafkaError?
        var stopWaiter: CheckedContinuation<Void, Never>?
    }

    /// Checks the agent against the schema catalog and creates its Kafka clients.
    ///
    /// - Throws: ``AgentConfigurationError`` for a bad agent name, a handled type the catalog
    ///   does not know, or two handlers for one type; `SchemaLoadError`; `KafkaError` for a bad
    ///   client property.
    public init(agent: some Agent, configuration: AgentRuntimeConfiguration, logger: Logger) throws {
        let registry = try configuration.schemas.load()
        let routes = try HandlerRoute.routes(for: agent, registry: registry, catalog: configuration.schemas.catalogDescription)

        let description = try AgentDescription(agent: agent, registry: registry, catalog: configuration.schemas.catalogDescription)
        agentName = agent.name
        version = agent.version
        consumes = description.consumes
        produces = agent.produces
        writtenTopics = description.writes
        capabilities = agent.capabilities
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "agent"] = "\(agent.name)"
        self.logger = logger
        let timersTopic = agent.usesTimers ? AgentTopics.timers(of: agent.name) : nil
        topics = description.subscribes
        circuitBreakers = agent.circuitBreakers
        let reference = RuntimeReference()
        var consumerConfiguration = configuration.consumerConfiguration(group: agent.name)
        consumerConfiguration.onRevoke = { reference.runtime?.partitionsRevoked($0) }
        consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        let producer = try KafkaProducer(configuration: configuration.producerConfiguration(agent: agent.name), logger: logger)
        self.producer = producer
        let activityProducer = try KafkaProducer(
            configuration: configuration.activityProducerConfiguration(agent: agent.name), logger: logger)
        self.activityProducer = activityProducer
        // Handlers' loggers get their event's metadata from the task-local context, only for
        // lines actually written.
        var handlerLogger = logger
        handlerLogger.handler.metadataProvider = Logger.MetadataProvider.multiplex(
            [logger.handler.metadataProvider, HandlerContext.metadataProvider].compactMap { $0 })
        let state = agent.usesState ? StateStore(topic: AgentTopics.state(of: agent.name)) : nil
        let journal = agent.usesEffects
            ? EffectJournal(
                topic: AgentTopics.journal(of: agent.name), memoryLimit: agent.policies.journalMemoryLimit, logger: logger)
            : nil
        let directory = CapabilityDirectory()
        let cancellations = WorkflowCancellations()
        let follower = RuntimeFollower(
            configuration: configuration, agentTopics: [state?.topic, journal?.topic].compactMap { $0 }, logger: logger,
            onControlCaughtUp: { cancellations.markReady() }
        ) { record in
            reference.runtime?.followed(record)
        }
        self.follower = follower
        let consumer = consumer
        let runtimeLogger = logger
        timers = timersTopic.map {
            TimerService(topic: $0, producer: producer, consumer: consumer, cancellations: cancellations, logger: runtimeLogger)
        }
        let stateTopic = state?.topic
        let journalTopic = journal?.topic
        let metrics = RuntimeMetrics(agent: agent.name, circuitBreakers: agent.circuitBreakers.map(\.name))
        let effects = journal.map { journal in
            EffectServices(
                journal: journal,
                writer: EffectJournalWriter(
                    producer: producer, agent: agent.name, instance: configuration.instanceID, logger: runtimeLogger),
                prices: configuration.modelPrices, maxEntryBytes: agent.policies.maxJournalEntryBytes,
                maxWorkflowCost: agent.policies.maxWorkflowCost,
                tracer: configuration.tracer ?? InstrumentationSystem.tracer, modelMetrics: metrics.modelCalls)
        }
        processor = EventProcessor(
            agent: agent.name, instance: configuration.instanceID, policies: agent.policies,
            concurrency: configuration.concurrency ?? agent.policies.concurrency, handlers: routes, registry: registry,
            producer: producer, activityProducer: activityProducer, handlerLogger: handlerLogger, logger: logger,
            tracer: configuration.tracer ?? InstrumentationSystem.tracer,
            services: HandlerServices(
                timersTopic: timersTopic, state: state, directory: directory, effects: effects,
                declaredOutputs: agent.produces.isEmpty ? nil : Set(agent.produces)),
            cancellations: cancellations,
            stateWatermarks: { try await follower.highWatermarks(of: stateTopic ?? "") },
            journalWatermarks: { try await follower.highWatermarks(of: journalTopic ?? "") },
            metrics: metrics,
            onProduceFailure: { reference.runtime?.deliveryFailed($0) })
        reference.set(self)
    }

    public func run() async throws {
        logger.info(
            "agent starting",
            metadata: [
                "instance": "\(configuration.instanceID)",
                "brokers": "\(configuration.brokers.bootstrapServers.joined(separator: ","))",
            ])
        // Every topic the instance can write to, looked up before it says it started: a first
        // output to a topic its producer has not opened would wait for librdkafka's topic scan.
        try producer.prepare(topics: writtenTopics)
        try activityProducer.prepare(topics: [AgentTopics.activity])
        try consumer.subscribe(topics: topics)
        await announce()
        logger.info(
            "agent started",
            metadata: [
                "instance": "\(configuration.instanceID)", "topics": "\(topics.joined(separator: ","))",
                "brokers": "\(configuration.brokers.bootstrapServers.joined(separator: ","))",
                "schemas": "\(configuration.schemas.path)",
            ])

        let consumerFailure = await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.processor.watchdog.run() }
                group.addTask { await self.follower.run() }
                group.addTask { await self.stopWaitingForCancellations() }
                if let timers = self.timers { group.addTask { await timers.run() } }
                group.addTask { await self.sendHeartbeats() }
                group.addTask { await self.followRebalances() }
                group.addTask { await self.stopWhenAsked() }
                let failure = await readRecords(into: &group)
                group.cancelAll()
                return failure
            }
        } onGracefulShutdown: {
            self.requestStop()
        }

        await follower.close()
        await sendHeartbeat(.stopped)
        let closeTimeout = remainingStopTime()
        async let closed: Void = closeProducer(producer, timeout: closeTimeout)
        async let activityClosed: Void = closeProducer(activityProducer, timeout: closeTimeout)
        _ = await (closed, activityClosed)
        logger.info("agent stopped", metadata: ["instance": "\(configuration.instanceID)"])
        if let failure = state.withLock({ $0.failure }) {
            throw AgentConfigurationError("stopped after an output could not be produced: \(failure.message)")
        }
        if let consumerFailure {
            throw AgentConfigurationError("stopped after the consumer failed: \(consumerFailure)")
        }
    }

    // MARK: Reading

    /// Routes each record to its partition's worker, starting a worker when a partition's
    /// first record of an assignment arrives. Ends when the consumer is closed (by the stop
    /// sequence) or fails; returns the failure, so the instance exits as failed rather than as
    /// stopped.
    private func readRecords(into group: inout DiscardingTaskGroup) async -> (any Error)? {
        var failure: (any Error)?
        var last: (topic: String, partition: Int32, worker: PartitionWorker)?
        do {
            for try await record in consumer.messages {
                if let timers, record.topic == timers.topic {
                    timers.apply(record) { consumer.isCurrent($0) }
                    continue
                }
                if let cached = last, cached.partition == record.partition, cached.topic == record.topic,
                    cached.worker.isActive, cached.worker.enqueue(record)
                {
                    continue
                }
                let key = KafkaTopicPartition(topic: record.topic, partition: record.partition)
                let worker: (PartitionWorker, isNew: Bool)? = state.withLock { state in
                    if let worker = state.workers[key], worker.isActive { return (worker, false) }
                    // Checked under the lock the revocation takes to end workers: a record fetched
                    // before a revocation never starts a worker after it.
                    guard consumer.isCurrent(record) else { return nil }
                    let worker = PartitionWorker(
                        partition: key, consumer: consumer, processor: processor,
                        ledger: PartitionLedger(partition: key, offsets: consumer) { [weak self] error, _ in
                            self?.deliveryFailed(error)
                        })
                    state.workers[key] = worker
                    return (worker, true)
                }
                guard let (worker, isNew) = worker else { continue }
                if isNew { group.addTask { await worker.run() } }
                last = (record.topic, record.partition, worker)
                // Refused only by a worker that ended since the lookup: its partition was revoked,
                // and the record, fetched before that, is the next owner's.
                worker.enqueue(record)
            }
        } catch {
            logger.error("consumer failed", metadata: ["error": "\(error)"])
            failure = error
        }
        for worker in state.withLock({ Array($0.workers.values) }) { worker.end() }
        return failure
    }

    /// Whether this instance has learnt that workflow `correlationID` was cancelled.
    package func knowsCancelled(_ correlationID: String) -> Bool { processor.cancellations.contains(correlationID) }

    /// Records read and not yet stored, over every partition's ledger.
    func workerLedgerCount() -> Int {
        state.withLock { Array($0.workers.values) }.reduce(0) { $0 + $1.ledger.count }
    }

    /// Handler attempts abandoned at their deadline whose tasks are still running.
    package var abandonedHandlers: Int { processor.counters.abandoned.load(ordering: .relaxed) }

    package var debugDescription: String {
        let workers = state.withLock { Array($0.workers.values) }
        return "assignment \(consumer.assignment) lag \(consumer.lag()) pauses \(consumer.pauseDescription) workers "
            + workers.map { "\($0.partition) \($0.debugState)" }.joined(separator: "; ")
    }

    /// Records read and not finished, over every partition: what the instance holds in memory
    /// besides the consumer's own bounded buffer.
    package var bufferedRecords: Int {
        state.withLock { Array($0.workers.values) }.reduce(0) { $0 + $1.buffered }
    }

    /// Runs on the consumer's polling thread when a rebalance takes partitions away, before they
    /// are given up: ends their workers (dropping what they had queued), lets the work already
    /// started finish and its outputs be acknowledged, which stores its offsets, within the
    /// revoke deadline, then retires their ledgers, abandoning whatever still runs (its outputs
    /// are dropped; the next owner handles those records again).
    fileprivate func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        timers?.revoked(partitions)
        let revoked = Set(partitions)
        let workers = state.withLock { state in
            let workers = state.workers.values.filter { revoked.contains($0.partition) }
            for worker in workers { state.workers[worker.partition] = nil }
            return workers
        }
        for worker in workers { worker.beginRevoke() }
        // Bounded by the revoke deadline, and by the stop's deadline for handlers once a stop
        // has begun (before or during this wait): a stop's bound holds whatever the group does.
        let start = ContinuousClock.now
        let revokeDeadline = start + configuration.revokeDeadline
        func deadline() -> ContinuousClock.Instant {
            guard let stopBy = stopDeadline.withLock({ $0 }) else { return revokeDeadline }
            return min(revokeDeadline, stopBy - Self.stopGrace)
        }
        // A rebalance is rare and this thread has nothing else to do meanwhile: checking every
        // millisecond is simpler than a signal from every settlement.
        while !workers.allSatisfy(\.ledger.isSettled), ContinuousClock.now < deadline() { usleep(1000) }
        let unsettled = workers.filter { !$0.ledger.isSettled }
        for worker in workers { worker.ledger.retire() }
        if !unsettled.isEmpty {
            logger.warning(
                "revoke deadline reached; abandoning work in progress, its events will be handled by the next owner",
                metadata: ["partitions": "\(unsettled.map(\.partition.description).joined(separator: ","))"])
        }
        logger.debug(
            "revoked work settled",
            metadata: ["waited": "\((ContinuousClock.now - start).wholeMilliseconds) ms", "partitions": "\(workers.count)"])
    }

    /// How long handling waits at start for the cancellations written before it: past this (the
    /// control topic is missing or unreachable), the instance handles without them, warning once.
    private static let cancellationsWait = Duration.seconds(10)

    private func stopWaitingForCancellations() async {
        let cancellations = processor.cancellations
        let until = ContinuousClock.now + Self.cancellationsWait
        let ready = await cancellations.waitUntilReady { ContinuousClock.now < until && !Task.isCancelled }
        if !ready, !Task.isCancelled {
            logger.warning(
                "\(AgentTopics.control) not read within \(Self.cancellationsWait); handling events without the cancellations written before this start")
            cancellations.markReady()
        }
    }

    /// A record of the topics every instance follows (``RuntimeFollower``).
    fileprivate func followed(_ record: KafkaRecord) {
        switch record.topic {
        case AgentTopics.control:
            guard let control = try? WorkflowControl(json: record.value) else {
                logger.warning("unreadable control record skipped", metadata: ["offset": "\(record.partition)@\(record.offset)"])
                return
            }
            switch control.action {
            case .cancel:
                guard processor.cancellations.insert(control.correlationId, reason: control.reason) else { return }
                logger.info(
                    "workflow cancelled",
                    metadata: [
                        "correlation_id": "\(control.correlationId)", "reason": "\(control.reason)",
                        "by": "\(control.requestedBy)@\(control.host)",
                    ])
                processor.watchdog.cancelWorkflow(control.correlationId)
                if let timers { Task { await timers.cancelWorkflow(control.correlationId) } }
            }
        case AgentTopics.registry:
            if let entry = try? RegistryRecord(json: record.value) { processor.services.directory?.apply(entry) }
        case AgentTopics.heartbeats:
            if let heartbeat = try? Heartbeat(json: record.value) { processor.services.directory?.apply(heartbeat) }
        default:
            if let state = processor.services.state, record.topic == state.topic { state.apply(record) }
            if let journal = processor.services.effects?.journal, record.topic == journal.topic { journal.apply(record) }
        }
    }

    private func followRebalances() async {
        for await event in consumer.events {
            switch event {
            case .assigned(let partitions):
                hasAssignment.store(true, ordering: .relaxed)
                logger.info("partitions assigned", metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))"])
            case .revoked(let partitions):
                hasAssignment.store(false, ordering: .relaxed)
                logger.info("partitions revoked", metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))"])
            case .commitFailed(let error):
                logger.warning("commit failed", metadata: ["error": "\(error.message)"])
            case .error, .committed:
                break  // errors are logged by the consumer itself
            }
        }
    }

    // MARK: Stopping

    /// Stops the instance as SIGTERM would: ``run()`` returns once the stop sequence is done.
    package func requestStop() {
        let waiter = state.withLock { state in
            state.stopRequested = true
            defer { state.stopWaiter = nil }
            return state.stopWaiter
        }
        waiter?.resume()
    }

    func deliveryFailed(_ error: KafkaError) {
        let first = state.withLock { state in
            defer { if state.failure == nil { state.failure = error } }
            return state.failure == nil
        }
        if first {
            logger.critical(
                "an output could not be delivered; stopping so its event is handled again after a restart",
                metadata: ["error": "\(error.message)"])
            requestStop()
        }
    }

    private func stopWhenAsked() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state in
                    if state.stopRequested || Task.isCancelled { return true }
                    state.stopWaiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            requestStop()
        }
        await stopGracefully()
    }

    /// Stop reading, let handlers finish (or cancel them at the deadline), wait for the
    /// acknowledgements that store their offsets, then leave the group, which commits.
    ///
    /// One deadline for the whole stop: handlers get the shutdown deadline; flushing, leaving
    /// the group and closing the producers (in ``run()``) share what is left of it plus
    /// ``stopGrace``, so a stop with the brokers gone ends on time too.
    private func stopGracefully() async {
        let deadline = ContinuousClock.now + configuration.shutdownDeadline
        stopDeadline.withLock { $0 = deadline + Self.stopGrace }
        logger.info("stopping", metadata: ["deadline": "\(configuration.shutdownDeadline)"])
        processor.stop()
        try? consumer.pause(consumer.assignment)
        await sendHeartbeat(.stopping)
        // Shutdown only: a short poll is simpler than a signal from every handler's exit.
        while processor.counters.inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline,
            !Task.isCancelled
        {
            try? await Task.sleep(for: .milliseconds(5))
        }
        if processor.counters.inFlight.load(ordering: .relaxed) > 0 {
            logger.warning("cancelling handlers still running at the shutdown deadline; their events will be read again")
            processor.watchdog.stopAll()
            // And handlings waiting for their state changes to be acknowledged.
            for worker in state.withLock({ Array($0.workers.values) }) { worker.ledger.stopAttempts() }
        }
        let flushTimeout = remainingStopTime()
        async let outputsError = flushError(producer, timeout: flushTimeout)
        async let activityError = flushError(activityProducer, timeout: flushTimeout)
        if let error = await outputsError {
            logger.warning("outputs not acknowledged before stopping; their events will be read again",
                metadata: ["error": "\(error.message)"])
        }
        if let error = await activityError {
            logger.warning("activity records not acknowledged before stopping", metadata: ["error": "\(error.message)"])
        }
        await consumer.close(timeout: remainingStopTime())
    }

    /// What the stop steps after the handlers share beyond the shutdown deadline: enough for
    /// acknowledgements and a commit on a healthy cluster, and the most a stop overruns it by.
    private static let stopGrace = Duration.seconds(1)
    /// The least a stop step gets, even past the stop deadline, so a healthy cluster can still
    /// acknowledge, commit and close.
    private static let stopStepMinimum = Duration.milliseconds(100)

    /// The time left for the next stop step: until the stop deadline, at least
    /// ``stopStepMinimum``; the full grace when the instance stops without a graceful stop
    /// (its consumer failed).
    private func remainingStopTime() -> Duration {
        guard let deadline = stopDeadline.withLock({ $0 }) else { return Self.stopGrace }
        return max(deadline - .now, Self.stopStepMinimum)
    }

    /// Flushes `client`; the error, if any, for the caller to word.
    private func flushError(_ client: KafkaProducer, timeout: Duration) async -> KafkaError? {
        do { try await client.flush(timeout: timeout) } catch { return error }
        return nil
    }

    private func closeProducer(_ client: KafkaProducer, timeout: Duration) async {
        do { try await client.close(timeout: timeout) } catch {
            logger.warning("producer closed with undelivered messages", metadata: ["error": "\(error.message)"])
        }
    }

    // MARK: Heartbeats and registry

    /// Writes the registry record and the `starting` heartbeat without waiting for them: with
    /// the brokers away, an acknowledgement can take the producer's delivery timeout (minutes),
    /// and neither the start nor a stop asked for meanwhile should wait that long.
    private func announce() async {
        let record = RegistryRecord(
            agent: agentName, version: version, consumes: consumes, produces: produces, capabilities: capabilities,
            topics: topics, instance: configuration.instanceID, time: EventTime.now().millisecondsSinceEpoch)
        do {
            try await producer.produce(
                topic: AgentTopics.registry, key: agentName, value: record.jsonBytes,
                callback: RegistryDeliveryLog(logger: logger))
        } catch {
            logger.warning("registry record not written", metadata: ["error": "\(error)"])
        }
        await sendHeartbeat(.starting)
    }

    private func sendHeartbeats() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.heartbeatInterval) } catch { return }
            if processor.isStopping { return }
            await sendHeartbeat(.running)
        }
    }

    /// The breakers that are not closed, as `name=state`.
    private func circuitStates() -> [String] {
        circuitBreakers.compactMap { breaker in
            let state = breaker.state
            return state == .closed ? nil : "\(breaker.name)=\(state.rawValue)"
        }
    }

    private func sendHeartbeat(_ status: Heartbeat.Status) async {
        let counters = processor.counters
        let (lag, inFlight, abandoned) = recordGauges()
        let heartbeat = Heartbeat(
            agent: agentName, instance: configuration.instanceID, version: version,
            host: ProcessInfo.processInfo.hostName, pid: getpid(),
            status: status == .running && abandoned > configuration.abandonedHandlerLimit ? .unhealthy : status,
            startedAt: startedAt,
            time: EventTime.now().millisecondsSinceEpoch, intervalMs: configuration.heartbeatInterval.wholeMilliseconds,
            handled: counters.handled.load(ordering: .relaxed), failed: counters.failed.load(ordering: .relaxed),
            retried: counters.retried.load(ordering: .relaxed), deadLettered: counters.deadLettered.load(ordering: .relaxed),
            duplicates: counters.duplicates.load(ordering: .relaxed), lag: lag.values.reduce(0, +),
            inFlight: inFlight, partitions: lag.keys.sorted().map(\.description), abandoned: abandoned,
            circuits: circuitStates())
        do {
            try await producer.produce(topic: AgentTopics.heartbeats, key: heartbeat.key, value: heartbeat.jsonBytes)
        } catch {
            logger.debug("heartbeat not sent", metadata: ["error": "\(error)"])
        }
    }
}

/// Lets the consumer and the processor, created before the runtime, reach it once it exists
/// (weak, since the runtime owns them).
private final class RuntimeReference: Sendable {
    private struct Weak { weak var runtime: AgentRuntime? }
    private let reference = Mutex(Weak())
    var runtime: AgentRuntime? { reference.withLock { $0.runtime } }
    func set(_ runtime: AgentRuntime) { reference.withLock { $0.runtime = runtime } }
}
