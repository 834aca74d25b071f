/// When `GET /healthz` says an agent is alive: its consumer's polling thread went round its loop
/// within ``pollStallLimit`` (it does four times a second), and a task on Swift's concurrency
/// pool ran within ``tickStallLimit`` (the HTTP endpoint's tick runs every second). A pool whose
/// threads are all held by handlers that block (synchronous I/O, locks, `sleep`) runs no tick,
/// and no handler either: restarting is the way out.
///
/// The limits sit far above any normal pause (a rebalance callback waits at most the revoke
/// deadline, 10 s by default; a garbage-free Swift process has no collector pauses), so a slow
/// moment is never mistaken for a wedged process.
package struct HealthRule: Sendable, Equatable {
    /// Default: 30 s.
    package var pollStallLimit: Duration
    /// Default: 30 s.
    package var tickStallLimit: Duration

    package init(pollStallLimit: Duration = .seconds(30), tickStallLimit: Duration = .seconds(30)) {
        self.pollStallLimit = pollStallLimit
        self.tickStallLimit = tickStallLimit
    }

    /// Why the process is not healthy, in one line, or nil when it is. Times are monotonic
    /// nanoseconds; a timestamp after `now` (taken on another thread meanwhile) counts as now.
    package func problem(now: UInt64, lastPoll: UInt64, lastTick: UInt64) -> String? {
        let pollAge = Self.age(now: now, since: lastPoll)
        if pollAge > pollStallLimit {
            return "the consumer's polling loop made no progress for \(Self.seconds(pollAge)) (limit \(Self.seconds(pollStallLimit)))"
        }
        let tickAge = Self.age(now: now, since: lastTick)
        if tickAge > tickStallLimit {
            return "no task ran on the Swift concurrency pool for \(Self.seconds(tickAge)) (limit \(Self.seconds(tickStallLimit))); handlers may be blocking its threads"
        }
        return nil
    }

    private static func age(now: UInt64, since time: UInt64) -> Duration {
        now > time ? .nanoseconds(Int64(clamping: now - time)) : .zero
    }

    private static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds) s"
    }
}
