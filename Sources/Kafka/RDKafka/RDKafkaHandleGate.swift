import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Keeps calls into a librdkafka handle from racing its destruction.
///
/// Callers on any thread ``enter()`` before using the handle and ``leave()`` after; the polling
/// thread calls ``closeAndWaitForCalls()`` before destroying it. Two atomic operations a call, no
/// lock: the per-message paths (produce, offset store) go through here.
final class RDKafkaHandleGate: Sendable {
    private let activeCalls = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    var isClosed: Bool { closed.load(ordering: .sequentiallyConsistent) }

    /// True if the handle may be used; pair with ``leave()``.
    @inline(__always)
    func enter() -> Bool {
        activeCalls.add(1, ordering: .sequentiallyConsistent)
        if closed.load(ordering: .sequentiallyConsistent) {
            activeCalls.subtract(1, ordering: .sequentiallyConsistent)
            return false
        }
        return true
    }

    @inline(__always)
    func leave() { activeCalls.subtract(1, ordering: .sequentiallyConsistent) }

    /// Refuses new calls, then waits for those already inside. Nearly all return at once, so it
    /// yields first; one can wait on a broker (``KafkaConsumer/checkBrokerReachableBlocking(timeout:)``,
    /// a readiness probe's round trip, up to its timeout), so after a hundred yields it sleeps a
    /// millisecond at a time instead of keeping a core busy.
    func closeAndWaitForCalls() {
        closed.store(true, ordering: .sequentiallyConsistent)
        var yields = 0
        while activeCalls.load(ordering: .sequentiallyConsistent) > 0 {
            if yields < 100 {
                yields += 1
                sched_yield()
            } else {
                usleep(1_000)
            }
        }
    }
}
