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

    /// Refuses new calls, then waits for those already inside (they never block for long).
    func closeAndWaitForCalls() {
        closed.store(true, ordering: .sequentiallyConsistent)
        while activeCalls.load(ordering: .sequentiallyConsistent) > 0 { sched_yield() }
    }
}
