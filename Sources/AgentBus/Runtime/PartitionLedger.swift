import DequeModule
import Kafka
import Synchronization

/// The records of one partition that were read and are not yet stored, in offset order.
///
/// Offsets are stored only up to the first record that is not done, so a crash at any moment
/// leaves every unfinished record (and everything after it) to be read again: at-least-once,
/// also when records finish out of order (per-key concurrency).
final class PartitionLedger: Sendable {
    private struct State {
        var events: Deque<InFlightEvent> = []
    }

    let partition: KafkaTopicPartition
    private let consumer: KafkaConsumer
    private let state = Mutex(State())
    private let onDeliveryFailure: @Sendable (KafkaError, KafkaRecord) -> Void

    init(
        partition: KafkaTopicPartition, consumer: KafkaConsumer,
        onDeliveryFailure: @escaping @Sendable (KafkaError, KafkaRecord) -> Void
    ) {
        self.partition = partition
        self.consumer = consumer
        self.onDeliveryFailure = onDeliveryFailure
    }

    /// Starts tracking `record`; records must be added in offset order.
    func track(_ record: KafkaRecord) -> InFlightEvent {
        state.withLock { state in
            let event = InFlightEvent(record: record, ledger: self)
            state.events.append(event)
            return event
        }
    }

    /// Events tracked and not yet stored.
    var count: Int { state.withLock { $0.events.count } }

    /// Called when some event became done: stores the offset after the longest done prefix.
    /// The store happens under the lock, so concurrent callers never store out of order.
    ///
    /// Events fetched before a revocation are dropped from the front whether done or not: their
    /// partition's next owner (this consumer again, after an eager rebalance) reads them again
    /// from the committed offset, and storing their offsets now could skip past records of the
    /// new assignment.
    func eventDone() {
        state.withLock { state in
            var last: InFlightEvent?
            while let head = state.events.first {
                if !consumer.isCurrent(head.record) {
                    state.events.removeFirst()
                } else if head.isDone {
                    last = state.events.removeFirst()
                } else {
                    break
                }
            }
            guard let last else { return }
            // Revoked meanwhile: `.notAssigned`, and the next owner reads it again.
            try? consumer.storeOffset(for: last.record)
        }
    }

    func deliveryFailed(_ error: KafkaError, record: KafkaRecord) {
        onDeliveryFailure(error, record)
    }
}
