import Kafka
import Logging
import Synchronization

/// Fires an agent instance's durable timers: keeps the pending timers of the `<agent>.timers`
/// partitions the instance is assigned (the runtime hands it every record of that topic), and
/// once a partition is read up to its end, publishes each timer's event when it is due, then
/// writes the timer's tombstone.
///
/// The timers topic is part of the agent's subscription, so the group spreads its partitions
/// over the instances like the work. Its offsets are never stored: each assignment reads a
/// partition from the beginning, which is how a new owner learns its pending timers (compaction
/// keeps that read short on real Kafka).
final class TimerService: Sendable {
    let topic: String
    private let producer: KafkaProducer
    private let consumer: KafkaConsumer
    private let cancellations: WorkflowCancellations
    private let logger: Logger
    private let table = Mutex(TimerTable())
    /// How often due timers are looked for: the most a timer fires late on a healthy instance.
    static let tick = Duration.milliseconds(100)

    init(topic: String, producer: KafkaProducer, consumer: KafkaConsumer, cancellations: WorkflowCancellations, logger: Logger) {
        self.topic = topic
        self.producer = producer
        self.consumer = consumer
        self.cancellations = cancellations
        self.logger = logger
    }

    /// Timers pending in the partitions this instance owns.
    var pending: Int { table.withLock { $0.count } }

    /// Folds a record of the timers topic in, unless `isCurrent` says its partition was revoked
    /// since it was fetched (checked under the lock ``revoked(_:)`` takes, so a record of a
    /// partition just given up never lands in the table after it was dropped).
    func apply(_ record: KafkaRecord, isCurrent: (KafkaRecord) -> Bool) {
        table.withLock { table in
            if isCurrent(record) { table.apply(record) }
        }
    }

    /// Forgets partitions given up in a rebalance.
    func revoked(_ partitions: [KafkaTopicPartition]) {
        let mine = Set(partitions.filter { $0.topic == topic }.map(\.partition))
        guard !mine.isEmpty else { return }
        table.withLock { $0.drop(partitions: mine) }
    }

    /// Retires the timers of a cancelled workflow that this instance owns.
    func cancelWorkflow(_ correlationID: String) async {
        let removed = table.withLock { $0.removeWorkflow(correlationID) }
        for timer in removed { await retire(timer.id) }
        if !removed.isEmpty {
            logger.info("timers of a cancelled workflow retired", metadata: [
                "correlation_id": "\(correlationID)", "timers": "\(removed.count)",
            ])
        }
    }

    /// Fires due timers every ``tick`` until cancelled.
    func run() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: Self.tick) } catch { return }
            await fireDue()
        }
    }

    /// Fires the timers due now in partitions read up to their end.
    func fireDue() async {
        // A timer of a workflow cancelled before this start must not fire.
        guard cancellations.isReady else { return }
        let now = EventTime.now().millisecondsSinceEpoch
        let highWatermarks = consumer.cachedHighWatermarks()
        let due = table.withLock { table in
            table.due(at: now) { partition in
                table.isCaughtUp(partition, highWatermark: highWatermarks[KafkaTopicPartition(topic: topic, partition: partition)])
            }
        }
        for timer in due where !Task.isCancelled {
            await fire(timer)
        }
    }

    /// Hands the timer's event to the producer; once it is acknowledged, the timer is removed and
    /// its tombstone written (``TimerDelivery``), unless a newer timer of the same ID has been read
    /// meanwhile (one written but not read back yet is not known here: give timers that may be
    /// set again while one fires names of their own). Nothing here waits for the broker, so a stop
    /// never waits for a timer. A failed delivery leaves the timer pending, due again at once.
    private func fire(_ timer: TimerTable.Timer) async {
        if cancellations.contains(timer.correlationID) {
            table.withLock { $0.remove(timer) }
            await retire(timer.id)
            return
        }
        let record = timer.record
        guard let destination = record.headers.string(named: TimerHeader.topic),
            var envelope = try? EventEnvelope(record: record)
        else {
            logger.error("timer record unreadable; dropping it", metadata: ["timer": "\(timer.id)"])
            table.withLock { $0.remove(timer) }
            await retire(timer.id)
            return
        }
        envelope.time = .now()
        let key = record.headers.string(named: TimerHeader.key) ?? envelope.correlationID
        table.withLock { $0.markFiring(timer) }
        do {
            try await producer.produce(
                topic: destination, key: key, value: record.value, headers: envelope.kafkaHeaders,
                callback: TimerDelivery(service: self, timer: timer, eventID: envelope.id))
        } catch {
            table.withLock { $0.fireFailed(timer) }
            logger.warning("timer not fired; trying again", metadata: ["timer": "\(timer.id)", "error": "\(error.message)"])
        }
    }

    /// The broker acknowledged a timer's event: the timer is done.
    fileprivate func fired(_ timer: TimerTable.Timer, eventID: String) {
        let stillThisTimer = table.withLock { $0.remove(timer) }
        logger.debug("timer fired", metadata: ["timer": "\(timer.id)", "event_id": "\(eventID)"])
        if stillThisTimer { Task { await retire(timer.id) } }
    }

    fileprivate func fireFailed(_ timer: TimerTable.Timer, error: KafkaError) {
        table.withLock { $0.fireFailed(timer) }
        logger.warning("timer event not delivered; trying again", metadata: ["timer": "\(timer.id)", "error": "\(error.message)"])
    }

    /// Writes the tombstone that ends a timer: a fired or cancelled timer is not read back.
    private func retire(_ id: String) async {
        do {
            try await producer.produceTombstone(topic: topic, key: id)
        } catch {
            logger.warning("timer tombstone not written", metadata: ["timer": "\(id)", "error": "\(error.message)"])
        }
    }
}

/// Tells the timer service how a fired timer's event was delivered (on the producer's polling
/// thread).
private final class TimerDelivery: KafkaDeliveryCallback, @unchecked Sendable {
    let service: TimerService
    let timer: TimerTable.Timer
    let eventID: String

    init(service: TimerService, timer: TimerTable.Timer, eventID: String) {
        self.service = service
        self.timer = timer
        self.eventID = eventID
    }

    override func delivered(partition: Int32, offset: Int64) { service.fired(timer, eventID: eventID) }
    override func failed(_ error: KafkaError) { service.fireFailed(timer, error: error) }
}
