import DequeModule
import Kafka
import Synchronization

/// Works through one partition's records for one assignment of it: in offset order, or per key
/// when the agent's ordering is `.key`.
///
/// Reading ahead is bounded: when ``AgentPolicies/maxBufferedPerPartition`` records are read
/// and not finished, the partition is paused at the consumer, and resumed once half of them are
/// done (``StateMachine``). A revocation ends the worker (``beginRevoke()``): what it has queued
/// is dropped, nothing new starts, and work already started may finish while the revocation
/// waits for it. Records of a later assignment go to a new worker.
final class PartitionWorker: Sendable {
    private struct State {
        var machine: StateMachine<KafkaRecord>
        var waiter: CheckedContinuation<Deque<KafkaRecord>?, Never>?
    }

    let partition: KafkaTopicPartition
    let ledger: PartitionLedger
    private let consumer: KafkaConsumer
    private let processor: EventProcessor
    private let state: Mutex<State>
    /// Mirrors `machine.phase == .active`, read by the reading task without the lock.
    private let active = Atomic<Bool>(true)
    /// True for a partition of one of the agent's retry topics, whose records may wait long for
    /// their due time: each is queued as a copy in storage of its own, so a waiting retry does
    /// not keep the rest of its consumer batch (up to a whole fetch) allocated.
    private let holdsRetries: Bool

    init(partition: KafkaTopicPartition, consumer: KafkaConsumer, processor: EventProcessor, ledger: PartitionLedger) {
        self.partition = partition
        self.consumer = consumer
        self.processor = processor
        self.ledger = ledger
        self.state = Mutex(State(machine: StateMachine(maxBuffered: processor.policies.maxBufferedPerPartition)))
        self.holdsRetries = processor.retryTiers.contains(partition.topic)
    }

    /// False once the partition was revoked or the consumer closed.
    var isActive: Bool { active.load(ordering: .relaxed) }

    var debugState: String {
        state.withLock { "buffered \($0.machine.buffered) paused \($0.machine.isPaused) phase \($0.machine.phase) queued \($0.machine.queued.count) waiting \($0.machine.isWorkerWaiting)" }
    }

    /// Records read and not finished.
    var buffered: Int { state.withLock { $0.machine.buffered } }

    // MARK: The reading task's side

    /// Queues `record` for the worker; false when the worker has ended (the record is dropped,
    /// and a record of a later assignment must go to a new worker).
    @discardableResult
    func enqueue(_ record: KafkaRecord) -> Bool {
        let record = holdsRetries ? record.withOwnStorage() : record
        typealias HandOver = (waiter: CheckedContinuation<Deque<KafkaRecord>?, Never>, records: Deque<KafkaRecord>)
        let (accepted, handOver) = state.withLock { state -> (Bool, HandOver?) in
            let arrival = state.machine.arrived(record)
            // Under the lock with the state, so a resume can never slip in between.
            if arrival.pause, (try? consumer.pause([partition])) == nil { state.machine.pauseFailed() }
            guard let records = arrival.handOver, let waiter = state.waiter else { return (!arrival.dropped, nil) }
            state.waiter = nil
            return (true, (waiter, records))
        }
        if let handOver { handOver.waiter.resume(returning: handOver.records) }
        return accepted
    }

    /// The partition is being revoked: drop what is queued, start nothing new. Work already
    /// started goes on; the revocation waits for the ledger to settle, then retires it.
    func beginRevoke() {
        ledger.beginRevoke()
        end()
    }

    /// Ends the worker: queued records are dropped (the consumer closed, or the partition was
    /// revoked).
    func end() {
        let waiter = state.withLock { state in
            _ = state.machine.end()
            active.store(false, ordering: .relaxed)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    // MARK: The worker task

    func run() async {
        switch processor.policies.ordering {
        case .partition:
            while let batch = await take() {
                for (index, record) in batch.enumerated() {
                    if processor.isStopping { return }
                    guard let event = ledger.track(record, started: true) else {
                        finished(batch.count - index)  // revoked: the rest is the next owner's
                        break
                    }
                    await processor.process(event)
                    finished()
                }
            }
        case .key(let maxInFlight):
            await runPerKey(maxInFlight: maxInFlight)
        }
    }

    /// Everything queued, waiting for at least one record; nil once the worker ended.
    private func take() async -> Deque<KafkaRecord>? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let take = state.withLock { state in
                    let take = state.machine.take()
                    if case .wait = take { state.waiter = continuation }
                    return take
                }
                switch take {
                case .records(let records): continuation.resume(returning: records)
                case .end: continuation.resume(returning: nil)
                case .wait: break
                }
            }
        } onCancel: {
            end()
        }
    }

    /// Records with different keys run concurrently (up to `maxInFlight`); each key's records run
    /// in order, the first one's task going on with the key's next.
    private func runPerKey(maxInFlight: Int) async {
        let waiting = KeyQueues()
        let permits = AsyncSemaphore(permits: maxInFlight)
        await withDiscardingTaskGroup { group in
            while let batch = await take() {
                for (index, record) in batch.enumerated() {
                    if processor.isStopping { return }
                    // Tracked now, in offset order; started when its key's turn comes.
                    guard let event = ledger.track(record, started: false) else {
                        finished(batch.count - index)
                        break
                    }
                    let key = record.key
                    let busy = waiting.queues.withLock { waiting in
                        if waiting[key] != nil {
                            waiting[key]!.append(event)
                            return true
                        }
                        waiting[key] = []
                        return false
                    }
                    if busy { continue }
                    await permits.acquire()
                    group.addTask { [self] in
                        var next: InFlightEvent? = event
                        while let current = next, !processor.isStopping {
                            if ledger.start(current) {
                                await processor.process(current)
                            } else {
                                current.abandon()  // revoked while queued behind its key
                            }
                            finished()
                            next = waiting.queues.withLock { waiting in
                                if let following = waiting[key]?.popFirst() { return following }
                                waiting[key] = nil
                                return nil
                            }
                        }
                        permits.release()
                    }
                }
            }
        }
    }

    private func finished(_ count: Int = 1) {
        guard count > 0 else { return }
        state.withLock { state in
            if state.machine.finished(count) { try? consumer.resume([partition]) }
        }
    }
}

/// Per key, the records waiting behind the one being handled (an empty queue: the key is busy
/// with nothing behind it).
private final class KeyQueues: Sendable {
    let queues = Mutex<[KafkaBytes?: Deque<InFlightEvent>]>([:])
}
