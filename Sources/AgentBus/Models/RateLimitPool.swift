import Synchronization

/// Paces the calls to one model of one provider, shared by every handler of an agent instance
/// that calls it, so many handlers together stay under the provider's limits instead of causing a
/// storm of 429s. ``RateLimitedModelClient`` uses one around every call; ``RateLimitPools`` hands
/// out one per provider and model.
///
/// Each limit of its ``RateLimit`` is a token bucket refilled continuously, holding at most
/// ``RateLimit/burst`` of allowance (a full bucket to start with). A caller
/// ``acquire(estimatedTokens:)``s before its call, suspending until both buckets allow it, and
/// ``settle(estimatedTokens:actualTokens:)``s after, once the provider said what the call used.
/// When the provider answers 429 anyway, ``throttle(for:)`` holds every caller until its
/// `Retry-After` has passed.
///
/// Callers go in arrival order: one waiting for many tokens is not overtaken by smaller ones.
/// Waiting costs no polling: the first in line sleeps on the pool's clock until the instant its
/// call is allowed, the others wait to be first.
///
/// ```swift
/// let pool = RateLimitPool(limit: RateLimit(requestsPerMinute: 60, tokensPerMinute: 40_000))
/// try await pool.acquire(estimatedTokens: 1_200)
/// // ... the call, which used 900 tokens:
/// pool.settle(estimatedTokens: 1_200, actualTokens: 900)
/// ```
public final class RateLimitPool: Sendable {
    public let limit: RateLimit
    private let state: Mutex<StateMachine>
    /// Time on the pool's clock since the pool was made.
    private let elapsed: @Sendable () -> Duration
    /// Sleeps on the pool's clock until an offset of ``elapsed``.
    private let sleep: @Sendable (Duration) async throws -> Void

    /// A pool on the continuous clock.
    public convenience init(limit: RateLimit) {
        self.init(limit: limit, clock: ContinuousClock())
    }

    /// A pool that measures and waits on `clock`: a manual clock in tests.
    public init<C: Clock<Duration>>(limit: RateLimit, clock: C) {
        self.limit = limit
        state = Mutex(StateMachine(limit: limit))
        let start = clock.now
        elapsed = { start.duration(to: clock.now) }
        sleep = { offset in try await clock.sleep(until: start.advanced(by: offset), tolerance: nil) }
    }

    /// Callers waiting now.
    public var waiting: Int { state.withLock { $0.waiting } }

    /// How long a ``throttle(for:)`` still holds callers; zero when none does.
    public var throttledFor: Duration { state.withLock { $0.throttled(now: elapsed()) } }

    /// Time on the pool's clock since it was made.
    var now: Duration { elapsed() }

    /// Returns once a call may go: it is first in line, the request bucket has a request and the
    /// token bucket has `estimatedTokens` (a full bucket, for an estimate larger than that), and
    /// no ``throttle(for:)`` holds the pool. Takes them from the buckets.
    ///
    /// - Parameter estimatedTokens: what the call may use, prompt and answer; corrected by
    ///   ``settle(estimatedTokens:actualTokens:)`` once known.
    /// - Throws: `CancellationError` if the calling task is cancelled before that; it leaves the
    ///   line and takes nothing.
    public func acquire(estimatedTokens: Int = 0) async throws(CancellationError) {
        if Task.isCancelled { throw CancellationError() }
        let (id, watchers) = state.withLock { $0.enqueue(tokens: max(0, estimatedTokens)) }
        for watcher in watchers { watcher.resume() }
        do {
            while true {
                switch state.withLock({ $0.step(id, now: elapsed()) }) {
                case .granted(let next):
                    next?.resume()
                    return
                case .sleep(let until):
                    try await sleep(until)
                case .park:
                    try await park(id)
                case .cancelled:
                    throw CancellationError()
                }
            }
        } catch {
            state.withLock { $0.leave(id) }?.resume()
            throw CancellationError()
        }
    }

    /// Corrects the token bucket once a call's usage is known: gives back what it did not use, or
    /// takes what it used beyond the estimate (later calls then wait longer).
    ///
    /// A refund does not wake a caller already sleeping for tokens earlier than it planned; it
    /// serves the calls after it.
    public func settle(estimatedTokens: Int, actualTokens: Int) {
        state.withLock { $0.settle(estimatedTokens: max(0, estimatedTokens), actualTokens: max(0, actualTokens), now: elapsed()) }
    }

    /// Holds every caller, waiting and new, until `duration` from now (or later, if an earlier
    /// throttle holds longer): for a provider's 429 and its `Retry-After`. Also forgets the
    /// allowance saved up, so that calls resume at the steady rate rather than in a burst that
    /// would be refused again.
    public func throttle(for duration: Duration) {
        state.withLock { $0.throttle(for: max(.zero, duration), now: elapsed()) }
    }

    /// Returns once at least `count` callers are waiting (or the calling task is cancelled): how
    /// a test knows callers queued in the order it started them.
    func waitUntilWaiting(_ count: Int) async {
        let id = state.withLock { $0.newWatcherID() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let registered = state.withLock { Task.isCancelled ? false : $0.watch(id, count: count, continuation: continuation) }
                if !registered { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.unwatch(id) }?.resume()
        }
    }

    private func park(_ id: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if let now = state.withLock({ $0.park(id, continuation: continuation) }) { continuation.resume(with: now) }
            }
        } onCancel: {
            state.withLock { $0.cancel(id) }?.resume(throwing: CancellationError())
        }
    }
}
