import DequeModule
import Kafka
import Synchronization

/// Works through one partition's records: in offset order, or per key when the agent's
/// ordering is `.key`.
///
/// Reading ahead is bounded: when ``maxBuffered`` records wait, the reading task pauses the
/// partition at the consumer, and the worker resumes it once half of them are done.
final class PartitionWorker: Sendable {
    let partition: KafkaTopicPartition
    let ledger: PartitionLedger
    private let inbox = PartitionInbox()
    private let consumer: KafkaConsumer
    private let processor: EventProcessor
    private let maxBuffered: Int
    /// True for a partition of one of the agent's retry topics, whose records may wait long for
    /// their due time: each is queued as a copy in storage of its own, so a waiting retry does
    /// not keep the rest of its consumer batch (up to a whole fetch) allocated.
    private let holdsRetries: Bool
    /// Read and not yet finished by the worker (queued, or being handled).
    private let buffered = Atomic<Int>(0)
    /// Whether this worker paused the partition at the consumer; changed together with the
    /// pause or resume call, under the lock. `pausedHint` mirrors it so the per-record checks
    /// take no lock.
    private let paused = Mutex(false)
    private let pausedHint = Atomic<Bool>(false)

    init(partition: KafkaTopicPartition, consumer: KafkaConsumer, processor: EventProcessor, ledger: PartitionLedger) {
        self.partition = partition
        self.consumer = consumer
        self.processor = processor
        self.ledger = ledger
        self.maxBuffered = processor.policies.maxBufferedPerPartition
        self.holdsRetries = processor.retryTiers.contains(partition.topic)
    }

    // MARK: The reading task's side

    func enqueue(_ record: KafkaRecord) {
        inbox.append(holdsRetries ? record.withOwnStorage() : record)
        let count = buffered.add(1, ordering: .relaxed).newValue
        if count >= maxBuffered, !pausedHint.load(ordering: .relaxed) {
            paused.withLock { paused in
                guard !paused else { return }
                // Under the lock with the flag, so a resume can never slip in between.
                if (try? consumer.pause([partition])) != nil {
                    paused = true
                    pausedHint.store(true, ordering: .relaxed)
                }
            }
        }
    }

    // Rebalances need nothing here: records fetched before a revocation are recognised by the
    // consumer (`isCurrent`) and skipped as they come up, and the ledger never stores their
    // offsets. (The assigned/revoked notices arrive after the fact, when records of the new
    // assignment may already be queued, so acting on them could drop those.) A partition
    // assigned again starts unpaused in librdkafka while the flag here may still say paused;
    // the worker then resumes it once it catches up, which is harmless.

    /// Ends the worker's loop once what it holds is done (the consumer has closed).
    func close() { inbox.close() }

    // MARK: The worker task

    func run() async {
        switch processor.policies.ordering {
        case .partition:
            while let batch = await inbox.takeAll() {
                for record in batch {
                    if processor.isStopping { return }
                    guard consumer.isCurrent(record) else {
                        finishedOne()
                        continue
                    }
                    await processor.process(ledger.track(record))
                    finishedOne()
                }
            }
        case .key(let maxInFlight):
            await runPerKey(maxInFlight: maxInFlight)
        }
    }

    /// Records with different keys run concurrently (up to `maxInFlight`); each key's records run
    /// in order, the first one's task going on with the key's next.
    private func runPerKey(maxInFlight: Int) async {
        let waiting = KeyQueues()
        let permits = AsyncSemaphore(permits: maxInFlight)
        await withDiscardingTaskGroup { group in
            while let batch = await inbox.takeAll() {
                for record in batch {
                    if processor.isStopping { return }
                    guard consumer.isCurrent(record) else {
                        finishedOne()
                        continue
                    }
                    let event = ledger.track(record)
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
                            // Queued behind its key across a rebalance: skip it if it went stale.
                            if consumer.isCurrent(current.record) {
                                await processor.process(current)
                            } else {
                                current.release()
                            }
                            finishedOne()
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

    private func finishedOne() {
        let count = buffered.subtract(1, ordering: .relaxed).newValue
        guard count <= maxBuffered / 2, pausedHint.load(ordering: .relaxed) else { return }
        paused.withLock { paused in
            guard paused else { return }
            try? consumer.resume([partition])
            paused = false
            pausedHint.store(false, ordering: .relaxed)
        }
    }
}

/// Per key, the records waiting behind the one being handled (an empty queue: the key is busy
/// with nothing behind it).
private final class KeyQueues: Sendable {
    let queues = Mutex<[KafkaBytes?: Deque<InFlightEvent>]>([:])
}
