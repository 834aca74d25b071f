import Kafka
import Synchronization

/// Passes the delivery reports of a handling's state changes and timers on to `next` (its
/// event, or its handled-marker gate) and tells the handling, which waits in
/// ``acknowledged()``, once all are acknowledged, or one is not, or the wait is given up.
///
/// A handling's events go out only after its state changes are acknowledged (see
/// ``HandlerContext/setState(_:for:)``): published first, an event could outlive the state that
/// says it was published, and the handling, run again, would publish a different one.
final class StateWriteAcknowledgement: KafkaDeliveryCallback, @unchecked Sendable {
    private let next: KafkaDeliveryCallback
    private let remaining: Atomic<Int>
    private let outcome = Mutex<Outcome>(.waiting(nil))

    private enum Outcome {
        case waiting(CheckedContinuation<Bool, Never>?)
        case done(Bool)
    }

    /// - Parameter writes: how many writes will report here (at least one).
    init(writes: Int, next: KafkaDeliveryCallback) {
        self.next = next
        remaining = Atomic(writes)
    }

    /// Whether every write was acknowledged; false as soon as one failed or the wait was given
    /// up. A write the producer did not take must be reported with ``giveUp()``, or this waits
    /// for it.
    func acknowledged() async -> Bool {
        await withCheckedContinuation { continuation in
            let done = outcome.withLock { outcome -> Bool? in
                switch outcome {
                case .done(let acknowledged): return acknowledged
                case .waiting:
                    outcome = .waiting(continuation)
                    return nil
                }
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Ends the wait with false: a write the producer refused outright (it will never report),
    /// or a stop or revocation that cannot wait any longer. Later reports still pass on.
    func giveUp() { finish(false) }

    /// Whether the wait ended with false (given up, or a write failed).
    var isGivenUp: Bool {
        outcome.withLock { outcome in
            if case .done(false) = outcome { return true }
            return false
        }
    }

    override func delivered(partition: Int32, offset: Int64) {
        next.delivered(partition: partition, offset: offset)
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { finish(true) }
    }

    override func failed(_ error: KafkaError) {
        next.failed(error)
        finish(false)
    }

    private func finish(_ acknowledged: Bool) {
        let waiter = outcome.withLock { outcome -> CheckedContinuation<Bool, Never>? in
            guard case .waiting(let continuation) = outcome else { return nil }
            outcome = .done(acknowledged)
            return continuation
        }
        waiter?.resume(returning: acknowledged)
    }
}
