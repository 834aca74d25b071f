import DequeModule

extension RateLimitPool {
    /// The pool's buckets, its throttle and its line of callers, behind the pool's lock: every
    /// decision is made here, without suspending. Times are offsets on the pool's clock since the
    /// pool was made.
    ///
    /// Callers queue in arrival order. Only the first in line waits on the clock, until the instant
    /// its call is allowed; the others park on a continuation until they are first. A caller that
    /// goes or gives up hands the head of the line to the next one.
    struct StateMachine {
        enum Step {
            /// The call may go. `next` is the new first in line, parked: resume it.
            case granted(next: CheckedContinuation<Void, any Error>?)
            /// First in line and not allowed yet: sleep until this instant, then step again.
            case sleep(until: Duration)
            /// Behind others: park until first in line, then step again.
            case park
            /// The caller's task was cancelled: leave the line.
            case cancelled
        }

        private struct Waiter {
            let id: UInt64
            let tokens: Int
            /// Set while parked.
            var continuation: CheckedContinuation<Void, any Error>?
            /// Cancelled while not parked: its next step or park ends it.
            var cancelled = false
        }

        private struct QueueWatcher {
            let id: UInt64
            let count: Int
            let continuation: CheckedContinuation<Void, Never>
        }

        private var requests: TokenBucket?
        private var tokens: TokenBucket?
        private var refilledAt: Duration = .zero
        private var throttledUntil: Duration = .zero
        private var line: Deque<Waiter> = []
        private var nextID: UInt64 = 0
        private var watchers: [QueueWatcher] = []

        init(limit: RateLimit) {
            requests = limit.requestsPerMinute.map { TokenBucket(perMinute: $0, burst: limit.burst) }
            tokens = limit.tokensPerMinute.map { TokenBucket(perMinute: $0, burst: limit.burst) }
        }

        var waiting: Int { line.count }

        func throttled(now: Duration) -> Duration { max(.zero, throttledUntil - now) }

        /// Puts a caller at the end of the line; returns its ID and the watchers its arrival
        /// satisfied (resume them).
        mutating func enqueue(tokens: Int) -> (id: UInt64, watchers: [CheckedContinuation<Void, Never>]) {
            nextID += 1
            line.append(Waiter(id: nextID, tokens: tokens))
            var satisfied: [CheckedContinuation<Void, Never>] = []
            watchers.removeAll { watcher in
                guard watcher.count <= line.count else { return false }
                satisfied.append(watcher.continuation)
                return true
            }
            return (nextID, satisfied)
        }

        mutating func step(_ id: UInt64, now: Duration) -> Step {
            guard let index = line.firstIndex(where: { $0.id == id }), !line[index].cancelled else { return .cancelled }
            guard index == 0 else { return .park }
            refill(now: now)
            let amount = line[0].tokens
            var wait = throttled(now: now)
            if let requests { wait = max(wait, requests.wait(for: 1)) }
            if let tokens { wait = max(wait, tokens.wait(for: amount)) }
            guard wait == .zero else { return .sleep(until: now + wait) }
            requests?.take(1)
            tokens?.take(amount)
            line.removeFirst()
            return .granted(next: takeFirstContinuation())
        }

        /// Parks a caller behind others. Nil: parked, its continuation kept; otherwise resume it
        /// at once with this (it became first meanwhile, or was cancelled).
        mutating func park(_ id: UInt64, continuation: CheckedContinuation<Void, any Error>) -> Result<Void, any Error>? {
            guard let index = line.firstIndex(where: { $0.id == id }), !line[index].cancelled else {
                return .failure(CancellationError())
            }
            if index == 0 { return .success(()) }
            line[index].continuation = continuation
            return nil
        }

        /// A caller's task was cancelled: returns its continuation if it is parked (resume it
        /// with `CancellationError`); otherwise marks it, so its next step or park ends it.
        mutating func cancel(_ id: UInt64) -> CheckedContinuation<Void, any Error>? {
            guard let index = line.firstIndex(where: { $0.id == id }) else { return nil }
            line[index].cancelled = true
            defer { line[index].continuation = nil }
            return line[index].continuation
        }

        /// Takes a caller that gave up out of the line; returns the continuation of the new first
        /// in line when it was first (resume it).
        mutating func leave(_ id: UInt64) -> CheckedContinuation<Void, any Error>? {
            guard let index = line.firstIndex(where: { $0.id == id }) else { return nil }
            line.remove(at: index)
            return index == 0 ? takeFirstContinuation() : nil
        }

        mutating func settle(estimatedTokens: Int, actualTokens: Int, now: Duration) {
            refill(now: now)
            tokens?.adjust(by: estimatedTokens - actualTokens)
        }

        mutating func throttle(for duration: Duration, now: Duration) {
            refill(now: now)
            throttledUntil = max(throttledUntil, now + duration)
            requests?.drain()
            tokens?.drain()
        }

        /// Registers a watcher of the line's length; false when it is long enough already.
        mutating func watch(_ id: UInt64, count: Int, continuation: CheckedContinuation<Void, Never>) -> Bool {
            guard line.count < count else { return false }
            watchers.append(QueueWatcher(id: id, count: count, continuation: continuation))
            return true
        }

        mutating func newWatcherID() -> UInt64 {
            nextID += 1
            return nextID
        }

        mutating func unwatch(_ id: UInt64) -> CheckedContinuation<Void, Never>? {
            guard let index = watchers.firstIndex(where: { $0.id == id }) else { return nil }
            return watchers.remove(at: index).continuation
        }

        private mutating func takeFirstContinuation() -> CheckedContinuation<Void, any Error>? {
            guard !line.isEmpty else { return nil }
            defer { line[0].continuation = nil }
            return line[0].continuation
        }

        private mutating func refill(now: Duration) {
            guard now > refilledAt else { return }
            requests?.refill(after: now - refilledAt)
            tokens?.refill(after: now - refilledAt)
            refilledAt = now
        }
    }
}
