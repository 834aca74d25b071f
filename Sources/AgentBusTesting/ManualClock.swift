import Synchronization

/// A clock that moves only when told: for handler deadlines, retry backoffs and anything a
/// handler waits for on ``AgentBus/HandlerContext/clock``.
///
/// ```swift
/// let clock = ManualClock()
/// // An agent with `retry: .none`, so the deadline dead-letters at once.
/// let tester = try AgentTester(SlowAgent(), schemas: .slowEvents, clock: clock)
/// async let result = tester.handle(SlowRequest())   // its handler sleeps on context.clock
/// await clock.waitForSleepers()                      // it is asleep now
/// clock.advance(by: .seconds(31))                    // past its deadline: abandoned
/// #expect(await result.deadLetter?.errorType == "DeadlineExceeded")
/// ```
///
/// Sleepers whose deadline is reached wake in deadline order, each on its own task, so
/// ``advance(by:)`` returns before they have run; a sleeping task that is cancelled wakes at once
/// with `CancellationError`, as on the system clocks. Time starts at zero.
public final class ManualClock: Clock, Sendable {
    /// A point on a ``ManualClock``: how far it has been advanced since it was made.
    public struct Instant: InstantProtocol, Sendable, Hashable, CustomStringConvertible {
        /// Time since the clock was made.
        public let offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "ManualClock.Instant(\(offset))" }
    }

    private struct Sleeper {
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
        /// Whether ``waitForSleepers(_:)`` counts it: the testing library's own deadline watches
        /// do not, so a test waits for the handler's sleep, not for its watchdog.
        let counted: Bool
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [UInt64: Sleeper] = [:]
        /// Sleeps cancelled before they were registered.
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
        var sleeperWaiters: [(id: UInt64, count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        var countedSleepers: Int { sleepers.values.count(where: \.counted) }

        /// The waiters satisfied by the current sleepers, removed.
        mutating func satisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
            let count = countedSleepers
            var ready: [CheckedContinuation<Void, Never>] = []
            sleeperWaiters.removeAll { waiter in
                guard waiter.count <= count else { return false }
                ready.append(waiter.continuation)
                return true
            }
            return ready
        }
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }

    public var minimumResolution: Duration { .zero }

    /// Suspends until the clock is advanced to `deadline` (at once if it is there already).
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await sleep(until: deadline, counted: true)
    }

    /// Sleeps that ``waitForSleepers(_:)`` does not count: the testing library's deadline watches.
    func sleep(until deadline: Instant, counted: Bool) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (now, waiters): (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return (.failure(CancellationError()), []) }
                    if deadline <= state.now { return (.success(()), []) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation, counted: counted)
                    return (nil, state.satisfiedWaiters())
                }
                if let now { continuation.resume(with: now) }
                for waiter in waiters { waiter.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return nil as Sleeper?
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        // A sleep cancelled after it ended left its ID behind; forget it.
        _ = state.withLock { $0.cancelled.remove(id) }
    }

    /// Moves the clock forward by `duration` and wakes every sleeper whose deadline it reached.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "a ManualClock only moves forward")
        let woken = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }.sorted { $0.value.deadline < $1.value.deadline }
            for (id, _) in due { state.sleepers[id] = nil }
            return due.map(\.value.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Moves the clock forward to `instant` (not back, if it is past it already).
    public func advance(to instant: Instant) {
        advance(by: max(.zero, now.duration(to: instant)))
    }

    /// How many tasks are sleeping on the clock now.
    public var sleeperCount: Int { state.withLock { $0.countedSleepers } }

    /// Returns once at least `count` tasks are sleeping on the clock: how a test knows the
    /// handler got to its wait before advancing past it.
    ///
    /// Also returns when the calling task is cancelled (a test's time limit, say), so a handler
    /// that never sleeps cannot hang the test run.
    public func waitForSleepers(_ count: Int = 1) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if state.countedSleepers >= count || Task.isCancelled { return true }
                    state.sleeperWaiters.append((id, count, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.sleeperWaiters.firstIndex { $0.id == id }.map { state.sleeperWaiters.remove(at: $0) }
            }
            waiter?.continuation.resume()
        }
    }
}
