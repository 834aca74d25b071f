import Synchronization

/// Expires handler attempts that reach their deadline.
///
/// One loop for the whole instance, instead of a timer per attempt: attempts register with
/// their deadline, and the loop expires the overdue ones every ``tick``, so an attempt is given
/// up at most a tick after its deadline. (librdkafka 2.0.2 never evicts a stuck consumer, since
/// any poll resets `max.poll.interval.ms`, so the runtime must bound handlers itself.)
final class DeadlineWatchdog: Sendable {
    private struct State {
        var attempts: [UInt64: HandlerAttempt] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    let tick: Duration

    init(tick: Duration) { self.tick = tick }

    func watch(_ attempt: HandlerAttempt) -> UInt64 {
        state.withLock { state in
            state.nextID &+= 1
            state.attempts[state.nextID] = attempt
            return state.nextID
        }
    }

    func unwatch(_ id: UInt64) {
        _ = state.withLock { $0.attempts.removeValue(forKey: id) }
    }

    /// Gives up every attempt now (a stop past its deadline).
    func stopAll() {
        let attempts = state.withLock { state in
            defer { state.attempts.removeAll() }
            return Array(state.attempts.values)
        }
        for attempt in attempts { attempt.expire(.stopped) }
    }

    /// Gives up the attempts handling events of workflow `correlationID` (it was cancelled).
    func cancelWorkflow(_ correlationID: String) {
        let attempts = state.withLock { state in
            state.attempts.values.filter { $0.correlationID == correlationID }
        }
        for attempt in attempts { attempt.expire(.cancelled) }
    }

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let overdue = state.withLock { state in
                var overdue: [HandlerAttempt] = []
                state.attempts = state.attempts.filter { _, attempt in
                    if attempt.deadline <= now {
                        overdue.append(attempt)
                        return false
                    }
                    return true
                }
                return overdue
            }
            for attempt in overdue { attempt.expire(.expired) }
        }
    }
}
