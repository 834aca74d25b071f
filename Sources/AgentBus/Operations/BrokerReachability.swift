import Synchronization

/// Whether a broker answers, for `GET /readyz`, found out with a real round trip (a metadata
/// request) at most once per ``maximumAge``, only when someone asks.
///
/// Why a round trip rather than librdkafka's signals: its `ALL_BROKERS_DOWN` error says when the
/// brokers went away but nothing says when they are back, and its statistics callback would
/// parse a JSON document every interval for every instance whether anyone probes or not. A
/// metadata request costs the broker next to nothing, is made only while probes come, off the
/// hot path (on the HTTP endpoint's connection thread), and answers exactly the question: can
/// this instance reach the cluster now.
///
/// Concurrent probes do not pile requests up: while one check runs, the others get the last
/// answer.
package final class BrokerReachability: Sendable {
    /// How long an answer is reused. Default: 1 s.
    package let maximumAge: Duration
    /// How long a check waits for a broker. Default: 1 s; with the brokers down a probe's
    /// answer takes that long.
    package let timeout: Duration

    private struct State {
        var checkedAt: ContinuousClock.Instant?
        /// Nil: reachable.
        var problem: String? = "not checked yet"
        var checking = false
    }

    private let state = Mutex(State())

    package init(maximumAge: Duration = .seconds(1), timeout: Duration = .seconds(1)) {
        self.maximumAge = maximumAge
        self.timeout = timeout
    }

    /// Why no broker can be reached, or nil when one answered lately. Runs `check` (which
    /// blocks up to ``timeout`` and throws when no broker answered) when the last answer is
    /// older than ``maximumAge`` and no other caller is running it.
    package func problem(check: (Duration) throws -> Void) -> String? {
        let now = ContinuousClock.now
        let cached: String?? = state.withLock { state in
            if state.checking { return .some(state.problem) }
            if let checkedAt = state.checkedAt, now - checkedAt < maximumAge { return .some(state.problem) }
            state.checking = true
            return .none
        }
        if let cached { return cached }
        var problem: String?
        do { try check(timeout) } catch { problem = "no broker reachable: \(error)" }
        state.withLock { state in
            state.checking = false
            state.checkedAt = .now
            state.problem = problem
        }
        return problem
    }
}
