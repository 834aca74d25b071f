import Kafka
import Logging
import Synchronization

/// Follows the topics every instance reads in full, outside the agent's consumer group:
/// `agentbus.control` (cancellations) and `agentbus.registry` from the beginning,
/// `agentbus.heartbeats` from a minute back (enough to know who is alive), and the agent's state
/// changelog and effect journal from the beginning when it keeps them. Assigned, not subscribed: no group, no
/// commits, no rebalance.
final class RuntimeFollower: Sendable {
    private let configuration: AgentRuntimeConfiguration
    /// The agent's own topics read in full: its state changelog, its effect journal.
    private let agentTopics: [String]
    private let logger: Logger
    private let handle: @Sendable (KafkaRecord) -> Void
    private let consumer = Mutex<KafkaConsumer?>(nil)
    /// The control partitions not yet read up to their end as of the start, with that end.
    private let controlRemaining = Mutex<[Int32: Int64]?>(nil)
    /// Called once the control records written before the start have all been read.
    private let onControlCaughtUp: @Sendable () -> Void
    private let admin = Mutex<KafkaAdmin?>(nil)

    init(
        configuration: AgentRuntimeConfiguration, agentTopics: [String], logger: Logger,
        onControlCaughtUp: @escaping @Sendable () -> Void = {}, handle: @escaping @Sendable (KafkaRecord) -> Void
    ) {
        self.onControlCaughtUp = onControlCaughtUp
        self.configuration = configuration
        self.agentTopics = agentTopics
        self.logger = logger
        self.handle = handle
    }

    /// Reads until cancelled. Retries the start (the topics' metadata) until it works.
    ///
    /// The start's lookups block for their timeout when the brokers do not answer and do not heed
    /// cancellation, so each runs as a task of its own that a stop does not wait for: a stop
    /// returns at once, and a consumer started after it is closed straight away.
    func run() async {
        var warned = false
        while !Task.isCancelled {
            let attempt = Task { try await self.start() }
            let started = await Self.untilCancelled { await attempt.result }
            guard let started else {
                closeWhenStarted(attempt)
                return
            }
            switch started {
            case .success(let consumer):
                await withTaskCancellationHandler {
                    do {
                        for try await record in consumer.messages {
                            handle(record)
                            if record.topic == AgentTopics.control { controlRead(record) }
                        }
                    } catch {
                        logger.warning("runtime topics no longer followed; starting again", metadata: ["error": "\(error)"])
                    }
                } onCancel: {
                    Task { await consumer.close(timeout: .seconds(1)) }
                }
                if Task.isCancelled { return }
                // The consumer failed: read everything again. Cancellations and heartbeats read
                // twice change nothing; the state store skips what it has read already.
                await consumer.close(timeout: .seconds(1))
                try? await Task.sleep(for: .seconds(1))
            case .failure(let error):
                if !warned {
                    logger.warning(
                        "cannot follow the runtime topics yet; cancellations, discovery and state wait for them",
                        metadata: ["error": "\(error)"])
                    warned = true
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// A consumer started after the runtime gave up waiting is closed as soon as it exists.
    private func closeWhenStarted(_ attempt: Task<KafkaConsumer, any Error>) {
        Task {
            if let consumer = try? await attempt.value { await consumer.close(timeout: .seconds(1)) }
            self.admin.withLock { $0 }?.close()
        }
    }

    /// The value of `operation`, or nil as soon as the calling task is cancelled (the operation
    /// goes on, unawaited).
    private static func untilCancelled<T: Sendable>(_ operation: @escaping @Sendable () async -> T) async -> T? {
        let race = FirstResume<T?>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
                race.set(continuation)
                if Task.isCancelled { race.resume(returning: nil) }
                Task {
                    let value = await operation()
                    race.resume(returning: value)
                }
            }
        } onCancel: {
            race.resume(returning: nil)
        }
    }

    /// Counts a control record read; the last one due at the start calls ``onControlCaughtUp``.
    private func controlRead(_ record: KafkaRecord) {
        let caughtUp = controlRemaining.withLock { remaining -> Bool in
            guard var left = remaining, let end = left[record.partition], record.offset + 1 >= end else { return false }
            left[record.partition] = nil
            remaining = left
            return left.isEmpty
        }
        if caughtUp { onControlCaughtUp() }
    }

    /// The high watermark of each partition of `topic` that holds records, from the brokers:
    /// what a replica's catch-up waits to have read (see ``catchUpTargets(_:)``).
    func highWatermarks(of topic: String) async throws -> [Int32: Int64] {
        guard let admin = admin.withLock({ $0 }) else {
            throw KafkaError(code: .broker, message: "runtime topics not followed yet")
        }
        let partitions = try await admin.topics().filter { $0.name == topic }.flatMap { metadata in
            (0..<metadata.partitionCount).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) }
        }
        guard !partitions.isEmpty else { return [:] }
        return Self.catchUpTargets(try await admin.watermarks(of: partitions))
    }

    /// The offset to have read up to in each partition, for a catch-up: its high watermark,
    /// except in a partition that holds no record. Retention deletes every record of a partition
    /// left unwritten past it (`<agent>.journal` has a `delete` policy), leaving `low == high >
    /// 0`: nothing there can ever be read, and waiting for it would stop the instance for good.
    static func catchUpTargets(_ watermarks: [KafkaTopicPartition: KafkaWatermarks]) -> [Int32: Int64] {
        Dictionary(uniqueKeysWithValues: watermarks.filter { $0.value.high > $0.value.low }.map { ($0.key.partition, $0.value.high) })
    }

    private func start() async throws -> KafkaConsumer {
        var consumerConfiguration = configuration.consumerConfiguration(group: "agentbus-follow")
        consumerConfiguration.groupID = "agentbus-follow-\(configuration.instanceID)-\(UInt32.random(in: 0...UInt32.max))"
        consumerConfiguration.autoOffsetReset = .earliest
        consumerConfiguration.properties["enable.auto.commit"] = "false"
        let admin = try self.admin.withLock { admin in
            if let admin { return admin }
            let created = try KafkaAdmin(
                configuration: KafkaClientConfiguration(
                    bootstrapServers: consumerConfiguration.bootstrapServers, clientID: consumerConfiguration.clientID,
                    security: consumerConfiguration.security, properties: configuration.properties),
                logger: logger)
            admin = created
            return created
        }
        let wanted = [AgentTopics.control, AgentTopics.registry, AgentTopics.heartbeats] + agentTopics
        let metadata = try await admin.topics()
        var partitions: [KafkaTopicPartition] = []
        for topic in metadata where wanted.contains(topic.name) {
            partitions += (0..<topic.partitionCount).map { KafkaTopicPartition(topic: topic.name, partition: Int32($0)) }
        }
        let missing = Set(wanted).subtracting(partitions.map(\.topic))
        if !missing.isEmpty {
            throw KafkaError(code: .unknownTopicOrPartition, message: "missing topics \(missing.sorted().joined(separator: ", "))")
        }
        // Exact offsets, not `.beginning`: a logical offset is looked up when the leader is known,
        // which a consumer this new does not know yet (librdkafka retries after 500 ms).
        let watermarks = try await admin.watermarks(of: partitions)
        let heartbeatPartitions = partitions.filter { $0.topic == AgentTopics.heartbeats }
        let recentHeartbeats = try await admin.offsets(
            forTimes: Dictionary(uniqueKeysWithValues: heartbeatPartitions.map {
                ($0, EventTime.now().millisecondsSinceEpoch - 60_000)
            }))
        var start: [KafkaTopicPartition: KafkaStartOffset] = [:]
        for partition in partitions {
            let low = watermarks[partition]?.low ?? 0
            if partition.topic == AgentTopics.heartbeats {
                let high = watermarks[partition]?.high ?? low
                let from = recentHeartbeats[partition].flatMap { $0 } ?? high
                start[partition] = .offset(max(low, min(from, high)))
            } else {
                start[partition] = .offset(low)
            }
        }
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        try consumer.assign(start)
        var control: [Int32: Int64] = [:]
        for (partition, marks) in watermarks where partition.topic == AgentTopics.control && marks.high > marks.low {
            control[partition.partition] = marks.high
        }
        controlRemaining.withLock { $0 = control }
        if control.isEmpty { onControlCaughtUp() }
        self.consumer.withLock { $0 = consumer }
        return consumer
    }

    /// Closes the consumer. The admin client is closed by ``closeWhenStarted(_:)`` when a start
    /// was cut short (closing it waits for a lookup in flight, up to its timeout), and otherwise
    /// without waiting here for the same reason.
    func close() async {
        await consumer.withLock({ $0 })?.close(timeout: .seconds(1))
        if let admin = admin.withLock({ $0 }) { Task.detached { admin.close() } }
    }
}

/// A continuation resumed by whichever comes first; later resumptions do nothing. One that
/// comes before the continuation is set is kept and delivered when it is.
private final class FirstResume<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var early: T?
        var done = false
    }

    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<T, Never>) {
        let early = state.withLock { state -> T? in
            guard !state.done else { return nil }
            if let early = state.early {
                state.done = true
                return early
            }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(returning value: T) {
        let continuation = state.withLock { state -> CheckedContinuation<T, Never>? in
            guard !state.done else { return nil }
            guard let continuation = state.continuation else {
                if state.early == nil { state.early = value }
                return nil
            }
            state.done = true
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}
