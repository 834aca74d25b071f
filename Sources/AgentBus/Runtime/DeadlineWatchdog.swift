import Synchronization

/// Cancels handler attempts that run past their deadline.
///
/// One loop for the whole instance, instead of a timer per attempt: attempts register their
/// task and deadline, and the loop cancels the overdue ones every ``tick``. (librdkafka 2.0.2
/// never evicts a stuck consumer, since any poll resets `max.poll.interval.ms`, so the runtime
/// must bound handlers itself.)
final class DeadlineWatchdog: Sendable {
    private struct Entry {
        let deadline: ContinuousClock.Instant
        let task: Task<Void, any Error>
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    let tick: Duration

    init(tick: Duration) { self.tick = tick }

    func watch(_ task: Task<Void, any Error>, until deadline: ContinuousClock.Instant) -> UInt64 {
        state.withLock { state in
            state.nextID &+= 1
            state.entries[state.nextID] = Entry(deadline: deadline, task: task)
            return state.nextID
        }
    }

    func unwatch(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Cancels every attempt now (shutdown past its deadline).
    func cancelAll() {
        let tasks = state.withLock { state in
            defer { state.entries.removeAll() }
            return state.entries.values.map(\.task)
        }
        for task in tasks { task.cancel() }
    }

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let overdue = state.withLock { state in
                var overdue: [Task<Void, any Error>] = []
                state.entries = state.entries.filter { _, entry in
                    if entry.deadline <= now {
                        overdue.append(entry.task)
                        return false
                    }
                    return true
                }
                return overdue
            }
            for task in overdue { task.cancel() }
        }
    }
}
