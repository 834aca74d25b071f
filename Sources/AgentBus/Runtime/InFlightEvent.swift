import Kafka
import Synchronization

/// One input record between being read and having its offset stored.
///
/// It counts what must still happen: one token while the runtime works on it, plus one per
/// message produced for it (outputs, activity record, retry or dead letter), each returned by
/// the message's delivery report. At zero it is done, and its ``PartitionLedger`` stores its
/// offset once every earlier record of the partition is done too.
final class InFlightEvent: KafkaDeliveryCallback, @unchecked Sendable {
    let record: KafkaRecord
    let ledger: PartitionLedger
    private let pending = Atomic<Int>(1)
    private let started: Atomic<Bool>
    private let abandoned = Atomic<Bool>(false)
    /// The handler attempt running for it, so a revocation past its deadline can give it up.
    private let attempt = Mutex<HandlerAttempt?>(nil)
    /// The acknowledgement of its state changes it waits for, given up likewise; `stopped` once
    /// ``stopAttempt()`` was called, so a wait that begins after it is given up at once.
    private let writes = Mutex<(acknowledgement: StateWriteAcknowledgement?, stopped: Bool)>((nil, false))
    /// Runs once every message for the record is acknowledged (the handled event enters the
    /// dedupe window then, not before: a copy read again before its outputs are safe must be
    /// handled again, not skipped). Set before the runtime's hold is released; read after the
    /// count reaches zero, whose acquire-release ordering makes the write visible.
    nonisolated(unsafe) var onSettled: (@Sendable () -> Void)?

    init(record: KafkaRecord, ledger: PartitionLedger, started: Bool) {
        self.record = record
        self.ledger = ledger
        self.started = Atomic(started)
    }

    var isDone: Bool { pending.load(ordering: .acquiring) == 0 }

    /// Whether work on it began (per-key ordering tracks records before they start).
    var isStarted: Bool { started.load(ordering: .relaxed) }

    /// Whether the runtime gave up on it (stopping, its partition revoked, or its state changes
    /// not written): never done, so its offset and everything after it are left to be read again.
    var isAbandoned: Bool { abandoned.load(ordering: .relaxed) }

    func markStarted() { started.store(true, ordering: .relaxed) }

    func abandon() { abandoned.store(true, ordering: .relaxed) }

    /// Sets (or clears, with nil) the handler attempt running for it.
    func running(_ attempt: HandlerAttempt?) { self.attempt.withLock { $0 = attempt } }

    /// Sets (or clears, with nil) the acknowledgement of state changes it waits for; gives it up
    /// at once if the event's work was stopped already.
    func waiting(for acknowledgement: StateWriteAcknowledgement?) {
        let stopped = writes.withLock { writes in
            writes.acknowledgement = acknowledgement
            return writes.stopped
        }
        if stopped { acknowledgement?.giveUp() }
    }

    /// Gives up the handler attempt running for it, or its wait for its state changes to be
    /// acknowledged, now or when it begins: its worker moves on.
    func stopAttempt() {
        attempt.withLock { $0 }?.expire(.stopped)
        let acknowledgement = writes.withLock { writes in
            writes.stopped = true
            return writes.acknowledgement
        }
        acknowledgement?.giveUp()
    }

    /// Announces `count` messages about to be produced for this record.
    func expect(_ count: Int) { pending.add(count, ordering: .relaxed) }

    /// The runtime is finished with the record (its messages may still be in flight).
    func release() { settle() }

    override func delivered(partition: Int32, offset: Int64) { settle() }

    override func failed(_ error: KafkaError) {
        // Not settled: the offset must never be stored past an event whose outputs were lost.
        ledger.deliveryFailed(error, record: record)
    }

    private func settle() {
        if pending.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            onSettled?()
            ledger.eventDone()
        }
    }
}
