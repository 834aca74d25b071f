import DequeModule
import Kafka
import Synchronization

/// The records of one partition that were read and are not yet stored, in offset order, for one
/// assignment of the partition.
///
/// Offsets are stored only up to the first record that is not done, so a crash at any moment
/// leaves every unfinished record (and everything after it) to be read again: at-least-once,
/// also when records finish out of order (per-key concurrency).
///
/// When the partition is revoked, the ledger stops taking new work (``beginRevoke()``), the
/// revocation waits until the work already started has settled (``isSettled``), and then the
/// ledger retires: nothing more is stored, and outputs of work that finishes later are dropped,
/// since the partition's next owner reads those records again.
final class PartitionLedger: Sendable {
    enum Phase {
        case active
        /// Revoked: work already started may finish and store its offset; no new work starts.
        case revoking
        /// Given up: nothing is stored any more.
        case retired
    }

    private struct State {
        var events: Deque<InFlightEvent> = []
        var phase = Phase.active
    }

    let partition: KafkaTopicPartition
    private let offsets: any OffsetStore
    private let state = Mutex(State())
    /// Mirror `phase != .active` and `phase == .retired`, read without the lock on every
    /// record's finish and during backoffs.
    private let revoked = Atomic<Bool>(false)
    private let retired = Atomic<Bool>(false)
    private let onDeliveryFailure: @Sendable (KafkaError, KafkaRecord) -> Void

    init(
        partition: KafkaTopicPartition, offsets: any OffsetStore,
        onDeliveryFailure: @escaping @Sendable (KafkaError, KafkaRecord) -> Void
    ) {
        self.partition = partition
        self.offsets = offsets
        self.onDeliveryFailure = onDeliveryFailure
    }

    /// Starts tracking `record` (records must be added in offset order), marked started when
    /// `started`. Nil once the partition is being revoked: the record is left to the next owner.
    func track(_ record: KafkaRecord, started: Bool) -> InFlightEvent? {
        state.withLock { state in
            guard state.phase == .active else { return nil }
            let event = InFlightEvent(record: record, ledger: self, started: started)
            state.events.append(event)
            return event
        }
    }

    /// Marks a tracked event started; false once the partition is being revoked (the event is
    /// then left unstarted, and nothing after it is stored).
    func start(_ event: InFlightEvent) -> Bool {
        state.withLock { state in
            guard state.phase == .active else { return false }
            event.markStarted()
            return true
        }
    }

    /// Events tracked and not yet stored.
    var count: Int { state.withLock { $0.events.count } }

    var isRevoked: Bool { revoked.load(ordering: .relaxed) }

    var isRetired: Bool { retired.load(ordering: .relaxed) }

    /// The partition was revoked: no new work starts.
    func beginRevoke() {
        state.withLock { state in
            if state.phase == .active { state.phase = .revoking }
            revoked.store(true, ordering: .relaxed)
        }
    }

    /// Whether every event is done, abandoned or was never started: nothing of this partition
    /// runs or waits for an acknowledgement any more.
    var isSettled: Bool {
        state.withLock { state in
            state.events.allSatisfy { $0.isDone || $0.isAbandoned || !$0.isStarted }
        }
    }

    /// Gives the partition up: nothing more is stored, and handler attempts still running for
    /// it are given up (their workers move on; their outputs are dropped).
    func retire() {
        let unsettled = state.withLock { state in
            defer {
                state.phase = .retired
                state.events = []
                revoked.store(true, ordering: .relaxed)
                retired.store(true, ordering: .relaxed)
            }
            return state.events.filter { $0.isStarted && !$0.isDone && !$0.isAbandoned }
        }
        for event in unsettled { event.stopAttempt() }
    }

    /// Gives up the handler attempts, and the waits for state changes to be acknowledged, still
    /// running for the partition (a stop past its deadline), without giving the partition up.
    func stopAttempts() {
        let unsettled = state.withLock { state in state.events.filter { $0.isStarted && !$0.isDone && !$0.isAbandoned } }
        for event in unsettled { event.stopAttempt() }
    }

    /// Called when some event became done: stores the offset after the longest done prefix.
    /// The store happens under the lock, so concurrent callers never store out of order.
    func eventDone() {
        state.withLock { state in
            guard state.phase != .retired else { return }
            var last: InFlightEvent?
            while let head = state.events.first, head.isDone {
                last = state.events.removeFirst()
            }
            guard let last else { return }
            // Fails only once the consumer closed: the next owner reads the record again.
            try? offsets.storeOffset(for: last.record)
        }
    }

    func deliveryFailed(_ error: KafkaError, record: KafkaRecord) {
        onDeliveryFailure(error, record)
    }
}
