import Synchronization

/// What an instance has done since it started, for heartbeats.
final class RuntimeCounters: Sendable {
    let handled = Atomic<Int>(0)
    /// Handler attempts that threw or ran past their deadline.
    let failed = Atomic<Int>(0)
    let retried = Atomic<Int>(0)
    let deadLettered = Atomic<Int>(0)
    let duplicates = Atomic<Int>(0)
    /// Handler attempts a provider's rate limit turned away, waited out without counting as failures.
    let throttled = Atomic<Int>(0)
    /// Records being processed right now (past any retry-topic wait, up to the hand-over of
    /// their messages): what a graceful stop waits for.
    let inFlight = Atomic<Int>(0)
    /// Handler attempts given up (at their deadline, or by a stop or a revocation past theirs)
    /// whose tasks are still running, handlers that ignore cancellation: too many make the
    /// instance unhealthy.
    let abandoned = Atomic<Int>(0)
}
