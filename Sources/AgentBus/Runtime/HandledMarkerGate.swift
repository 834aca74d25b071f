import Kafka
import Synchronization

/// Passes the delivery reports of a handling's outputs and writes on to its event and, once
/// every one of them is acknowledged, calls `open`, which sends the handled marker
/// (`<event ID>/agentbus.handled`, see ``EffectJournal``).
///
/// The marker says the event's outputs are safe: sent beside them, it could be acknowledged while
/// one of them is lost, and the event, read again, would be dropped as a duplicate whose outputs
/// never arrived. A message that fails, or that is never produced, keeps the marker back: the
/// event is then read again and handled again.
///
/// Until it is released (every report in, and the marker handed to the producer by whatever
/// `open` started, which keeps it meanwhile), it counts as a record in flight, so that a
/// graceful stop does not close the producer before the marker is in it.
final class HandledMarkerGate: KafkaDeliveryCallback, @unchecked Sendable {
    private let event: InFlightEvent
    private let remaining: Atomic<Int>
    private let counters: RuntimeCounters
    private let open: @Sendable (HandledMarkerGate) -> Void

    /// - Parameter messages: how many messages will report here (at least one).
    init(
        event: InFlightEvent, messages: Int, counters: RuntimeCounters,
        open: @escaping @Sendable (HandledMarkerGate) -> Void
    ) {
        self.event = event
        self.remaining = Atomic(messages)
        self.counters = counters
        self.open = open
        counters.inFlight.add(1, ordering: .relaxed)
    }

    deinit {
        counters.inFlight.subtract(1, ordering: .relaxed)
    }

    override func delivered(partition: Int32, offset: Int64) {
        event.delivered(partition: partition, offset: offset)
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { open(self) }
    }

    override func failed(_ error: KafkaError) {
        event.failed(error)
    }
}
