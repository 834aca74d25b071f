import DequeModule
import Foundation
import JSONSchema
import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// Watches the agents through what they already write, and publishes a ``SupervisorAlert``
/// when ``SupervisorRules`` say so: instances silent, dead, unhealthy or lagging (from
/// `agentbus.heartbeats`), dead-letter topics growing (every `<agent>.dlt`), workflows stalled
/// before a terminal event type (from `agentbus.activity`).
///
/// It reads with `assign()` and a group of its own that never commits, from "now minus the
/// lookback" (looked up by time where the brokers can; elsewhere from the oldest record, with
/// older records skipped by their timestamps), lists the topics again every
/// ``SupervisorConfiguration/topicRefreshInterval`` for new dead-letter topics, and judges every
/// ``SupervisorConfiguration/interval``, once it has caught up with what was there at start.
///
/// It is watched the same way: it writes a registry record (capability `supervision`) and a
/// heartbeat every interval under its own agent name (`stopped` on the way out), so a
/// supervisor above it alerts when it dies. A `Service`: run it in a `ServiceGroup`; it stops
/// on graceful shutdown.
public final class Supervisor: Service, Sendable {
    public let configuration: SupervisorConfiguration
    let consumer: KafkaConsumer
    private let producer: KafkaProducer
    let admin: KafkaAdmin
    let publisher: EventPublisher
    private let redrive: StalledWorkflowRedrive
    let logger: Logger
    private let startedAt = EventTime.now().millisecondsSinceEpoch
    let state: Mutex<State>
    /// Whether a broker answers, for `/readyz` (``Supervisor/readiness()``).
    let brokerReachability = BrokerReachability()

    struct State {
        var rules: SupervisorRules
        /// Per partition read, the offset after the last record fed to the rules: where a new
        /// assignment resumes, and below which records delivered again are skipped.
        var next: [KafkaTopicPartition: Int64] = [:]
        /// Where each assigned partition started, for those with no record read yet.
        var starts: [KafkaTopicPartition: KafkaStartOffset] = [:]
        /// The high watermarks at start of the partitions that had records to read: the rules
        /// are judged only once these are read, so a `stopped` heartbeat not yet read cannot make
        /// an instance look dead.
        var catchUp: [KafkaTopicPartition: Int64] = [:]
        var caughtUp = false
        /// Records older than this (ms since 1970) are skipped: before the lookback.
        var notBefore: Int64
        /// Records read, and alerts that could not be published: the heartbeat's `handled` and
        /// `failed`.
        var recordsRead = 0
        var alertsFailed = 0
        /// Workflows redriven once, oldest first (as many as workflows are watched): one that
        /// stalls again is escalated rather than redriven for ever.
        var redriven = Deque<String>()
        var redrivenIDs = Set<String>()
    }

    /// Checks the name and the catalog, and creates the Kafka clients.
    ///
    /// - Throws: ``AgentConfigurationError`` for a bad name or a catalog without the alert type;
    ///   `SchemaLoadError`; `KafkaError` for a bad client property.
    public init(configuration: SupervisorConfiguration, logger: Logger) throws {
        if let problem = AgentTopics.problem(withAgentName: configuration.name) {
            throw AgentConfigurationError(problem)
        }
        let registry = try configuration.schemas.load()
        guard registry.eventSchema(for: SupervisorAlert.eventType) != nil else {
            throw AgentConfigurationError(
                "\(configuration.schemas.catalogDescription) has no \(SupervisorAlert.eventType): copy schemas/\(SupervisorAlert.eventType).json from AgentBus into it")
        }
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "agent"] = "\(configuration.name)"
        self.logger = logger
        consumer = try KafkaConsumer(configuration: configuration.consumerConfiguration(), logger: logger)
        producer = try KafkaProducer(configuration: configuration.producerConfiguration(), logger: logger)
        admin = try KafkaAdmin(configuration: configuration.adminConfiguration(), logger: logger)
        publisher = EventPublisher(producer: producer, registry: registry, source: "/agents/\(configuration.name)")
        redrive = StalledWorkflowRedrive(consumerConfiguration: configuration.consumerConfiguration(), producer: producer)
        state = Mutex(
            State(
                rules: SupervisorRules(thresholds: configuration.thresholds, supervisor: configuration.name),
                notBefore: startedAt - configuration.effectiveLookback.wholeMilliseconds))
    }

    public func run() async throws {
        let alertTopic = publisher.registry.eventSchema(for: SupervisorAlert.eventType)!.topic
        try producer.prepare(topics: [AgentTopics.heartbeats, AgentTopics.registry, alertTopic])
        await announce()
        logger.info(
            "supervisor started",
            metadata: [
                "instance": "\(configuration.instanceID)", "interval": "\(configuration.interval)",
                "policy": "\(configuration.stalledPolicy.rawValue)",
                "brokers": "\(configuration.brokers.bootstrapServers.joined(separator: ","))",
            ])

        // A consumer that fails ends both tasks: judging on without news would call every
        // instance dead.
        var failure: (any Error)?
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await self.read() }
                    group.addTask { await self.judgeEveryInterval() }
                }
            }
        } catch {
            if !Task.isShuttingDownGracefully && !Task.isCancelled { failure = error }
        }

        await sendHeartbeat(.stopped)
        do { try await producer.close(timeout: .seconds(5)) } catch {
            logger.warning("not every alert or heartbeat was delivered", metadata: ["error": "\(error)"])
        }
        await consumer.close(timeout: .seconds(5))
        admin.close()
        logger.info("supervisor stopped", metadata: ["instance": "\(configuration.instanceID)"])
        if let failure { throw failure }
    }

    // MARK: Reading

    /// Feeds every record to the rules until cancelled; throws when the consumer fails.
    private func read() async throws {
        do {
            for try await record in consumer.messages { feed(record) }
        } catch {
            if Task.isCancelled { return }
            throw AgentConfigurationError("the supervisor's consumer failed: \(error)")
        }
        if !Task.isCancelled { throw AgentConfigurationError("the supervisor's consumer stopped") }
    }

    private func feed(_ record: KafkaRecord) {
        let now = EventTime.now().millisecondsSinceEpoch
        state.withLock { state in
            let partition = KafkaTopicPartition(topic: record.topic, partition: record.partition)
            if let next = state.next[partition], record.offset < next { return }
            state.next[partition] = record.offset + 1
            state.recordsRead += 1
            let time = record.timestamp?.millisecondsSince1970 ?? now
            guard time >= state.notBefore else { return }
            switch record.topic {
            case AgentTopics.heartbeats:
                if let heartbeat = try? Heartbeat(json: record.value) { state.rules.observe(heartbeat) }
            case AgentTopics.activity:
                if let activity = try? ActivityRecord(json: record.value) { state.rules.observe(activity) }
            case let topic where topic.hasSuffix(".dlt"):
                state.rules.observeDeadLetter(topic: record.topic, at: time)
            default:
                // The topic of a terminal type: an event of one ends its workflow.
                guard let type = record.headers.string(named: EnvelopeHeader.type),
                    configuration.thresholds.terminalTypes.contains(type)
                else { return }
                let correlationID = record.headers.string(named: EnvelopeHeader.correlationID)
                    ?? record.headers.string(named: EnvelopeHeader.id) ?? ""
                state.rules.observeTerminalEvent(correlationID: correlationID)
            }
        }
    }

    // MARK: Judging

    private func judgeEveryInterval() async {
        let clock = ContinuousClock()
        await assignTopics()
        var lastRefresh = clock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.interval) } catch { return }
            // Until the first listing succeeds (brokers away at start), every interval.
            let watching = state.withLock { !$0.starts.isEmpty }
            if !watching || clock.now - lastRefresh >= configuration.topicRefreshInterval {
                lastRefresh = clock.now
                await assignTopics()
            }
            await judge(now: EventTime.now().millisecondsSinceEpoch)
            await sendHeartbeat(.running)
        }
    }

    /// Judges the rules at `now` and publishes what they raise (nothing before the first
    /// assignment's records are read).
    private func judge(now: Int64) async {
        let raised: [(SupervisorAlert, ActivityRecord?)] = state.withLock { state in
            if !state.caughtUp {
                state.caughtUp = !state.starts.isEmpty && state.catchUp.allSatisfy { partition, high in (state.next[partition] ?? 0) >= high }
                if !state.caughtUp { return [] }
                state.catchUp = [:]
            }
            return state.rules.evaluate(now: now).map { alert in
                (alert, alert.subject.correlationId.flatMap { state.rules.lastActivity(ofWorkflow: $0) })
            }
        }
        for (alert, lastActivity) in raised { await publish(alert, lastActivity: lastActivity) }
    }

    /// Applies the stalled-workflow policy and publishes: a stalled workflow's alert as a child
    /// of its last event, every other alert as a root event.
    private func publish(_ alert: SupervisorAlert, lastActivity: ActivityRecord?) async {
        var alert = alert
        // Names and IDs in it come from records anyone can write.
        alert.message = alert.message.oneLine
        var parent: (id: String, correlationID: String)?
        if alert.kind == .workflowStalled, let lastActivity, let id = lastActivity.eventId,
            let correlationID = lastActivity.correlationId
        {
            parent = (id, correlationID)
            switch configuration.stalledPolicy {
            case .alert: break
            case .escalate: alert.severity = .critical
            case .redrive where state.withLock({ $0.redrivenIDs.contains(correlationID) }):
                alert.severity = .critical
                alert.message += "; stalled again after it was redriven"
            case .redrive:
                do {
                    let newID = try await redrive.resend(lastActivity)
                    alert.redrivenEventId = newID
                    alert.message += "; sent \(id) again as \(newID)"
                    rememberRedriven(correlationID)
                } catch {
                    alert.severity = .critical
                    alert.message += "; could not send it again: \(error)".oneLine
                }
            }
        }
        do {
            let payload = try alert.jsonPayload()
            let envelope: EventEnvelope
            if let parent {
                // Derived from the event it hangs from: a supervisor restarted within the
                // lookback raises it again with the same ID, which consumers drop as a duplicate.
                envelope = EventEnvelope(
                    id: EventID.derived(
                        from: parent.id, agent: configuration.name, type: SupervisorAlert.eventType, name: alert.kind.rawValue
                    ).description,
                    source: publisher.source, type: SupervisorAlert.eventType, correlationID: parent.correlationID,
                    causationID: parent.id, traceParent: .newRoot(), hops: 1, data: payload)
            } else {
                envelope = .root(type: SupervisorAlert.eventType, source: publisher.source, data: payload)
            }
            let published = try await publisher.publish(envelope)
            logger.notice(
                "alert raised",
                metadata: [
                    "kind": "\(alert.kind.rawValue)", "severity": "\(alert.severity.rawValue)",
                    "event_id": "\(published.envelope.id)", "message": "\(alert.message)",
                ])
        } catch {
            state.withLock { $0.alertsFailed += 1 }
            logger.error(
                "alert not published", metadata: ["kind": "\(alert.kind.rawValue)", "message": "\(alert.message)", "error": "\(error)"])
        }
    }

    private func rememberRedriven(_ correlationID: String) {
        state.withLock { state in
            guard state.redrivenIDs.insert(correlationID).inserted else { return }
            state.redriven.append(correlationID)
            while state.redriven.count > max(1, configuration.thresholds.maxTrackedWorkflows) {
                state.redrivenIDs.remove(state.redriven.removeFirst())
            }
        }
    }

    // MARK: Being watched

    /// The registry record and the `starting` heartbeat, not awaited (as an agent's runtime
    /// does): brokers that are away must not hold the start back.
    private func announce() async {
        let record = RegistryRecord(
            agent: configuration.name, version: AgentBusVersion.current, consumes: [],
            produces: [SupervisorAlert.eventType], capabilities: ["supervision"],
            topics: [AgentTopics.heartbeats, AgentTopics.activity], instance: configuration.instanceID,
            time: EventTime.now().millisecondsSinceEpoch)
        do {
            try await producer.produce(topic: AgentTopics.registry, key: configuration.name, value: record.jsonBytes)
        } catch {
            logger.warning("registry record not written", metadata: ["error": "\(error)"])
        }
        await sendHeartbeat(.starting)
    }

    private func sendHeartbeat(_ status: Heartbeat.Status) async {
        let (read, failed) = state.withLock { ($0.recordsRead, $0.alertsFailed) }
        let lag = consumer.lag()
        let heartbeat = Heartbeat(
            agent: configuration.name, instance: configuration.instanceID, version: AgentBusVersion.current,
            host: ProcessInfo.processInfo.hostName, pid: getpid(), status: status, startedAt: startedAt,
            time: EventTime.now().millisecondsSinceEpoch, intervalMs: configuration.interval.wholeMilliseconds,
            handled: read, failed: failed, retried: 0, deadLettered: 0, duplicates: 0, lag: lag.values.reduce(0, +),
            inFlight: 0, partitions: lag.keys.sorted().map(\.description))
        do {
            try await producer.produce(topic: AgentTopics.heartbeats, key: heartbeat.key, value: heartbeat.jsonBytes)
        } catch {
            logger.debug("heartbeat not sent", metadata: ["error": "\(error)"])
        }
    }
}
