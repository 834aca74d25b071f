import Synchronization

/// A task on Swift's concurrency pool that notes the time every ``interval``: when handlers hold
/// every thread of the pool (blocking calls), it stops, and `GET /healthz` says so.
package final class PoolTick: Sendable {
    /// Default: 1 s.
    package let interval: Duration
    private let last = Atomic<UInt64>(MonotonicClock.nanoseconds())

    package init(interval: Duration = .seconds(1)) { self.interval = interval }

    /// When the tick last ran, in monotonic nanoseconds (its creation before it first runs).
    package var lastTick: UInt64 { last.load(ordering: .relaxed) }

    /// Ticks until the task is cancelled.
    package func run() async {
        while !Task.isCancelled {
            last.store(MonotonicClock.nanoseconds(), ordering: .relaxed)
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
