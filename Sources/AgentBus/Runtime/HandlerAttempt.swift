import Synchronization

/// One handler attempt, run as its own task and raced against its deadline: the worker waiting
/// for it resumes at whichever comes first, the attempt's end or the deadline.
///
/// At the deadline the attempt's task is cancelled and abandoned: the worker moves on (the
/// record is classed as a deadline failure) even if the handler ignores cancellation, and the
/// task counts in ``RuntimeCounters/abandoned`` until it does end. A stop past its deadline or a
/// revocation past its deadline gives attempts up the same way (`.stopped`).
final class HandlerAttempt: Sendable {
    enum Result {
        case succeeded
        case failed(any Error)
        /// Reached its deadline first.
        case expired
        /// Given up because the instance is stopping.
        case stopped
        /// Given up because its workflow was cancelled.
        case cancelled
    }

    private struct State {
        var waiter: CheckedContinuation<Result, Never>?
        /// Set by an ``expire(_:)`` that came before ``run(_:)``: the attempt is given up before
        /// its handler starts.
        var expiredEarly: Result?
        var task: Task<Void, Never>?
        /// The worker stopped waiting for a task that has not ended.
        var abandoned = false
        var taskEnded = false
    }

    let deadline: ContinuousClock.Instant
    /// The workflow of the event handled, so a cancellation can find its attempts.
    let correlationID: String
    private let state = Mutex(State())
    private let counters: RuntimeCounters

    init(deadline: ContinuousClock.Instant, correlationID: String = "", counters: RuntimeCounters) {
        self.deadline = deadline
        self.correlationID = correlationID
        self.counters = counters
    }

    /// Starts `body` as a task and waits for its end or for ``expire(_:)``, whichever is first.
    /// Returns `.stopped` without starting `body` when the calling task is already cancelled
    /// (a task started here would not inherit that) or the attempt was expired already.
    func run(_ body: @escaping @Sendable () async throws -> Void) async -> Result {
        if Task.isCancelled { return .stopped }
        return await withCheckedContinuation { continuation in
            let early = state.withLock { state in
                if state.expiredEarly == nil { state.waiter = continuation }
                return state.expiredEarly
            }
            if let early {
                continuation.resume(returning: early)
                return
            }
            let task = Task {
                let result: Result
                do {
                    try await body()
                    result = .succeeded
                } catch {
                    result = .failed(error)
                }
                self.taskEnded(result)
            }
            let cancelNow = state.withLock { state in
                state.task = task
                return state.abandoned
            }
            if cancelNow { task.cancel() }
        }
    }

    /// Resumes the worker with `reason` (`.expired`, `.stopped` or `.cancelled`) unless the attempt already
    /// ended, and cancels the attempt's task. Before ``run(_:)``, makes it return `reason` at once.
    func expire(_ reason: Result) {
        let (waiter, task) = state.withLock { state -> (CheckedContinuation<Result, Never>?, Task<Void, Never>?) in
            guard let waiter = state.waiter else {
                if state.task == nil, !state.taskEnded, state.expiredEarly == nil { state.expiredEarly = reason }
                return (nil, nil)
            }
            state.waiter = nil
            state.abandoned = true
            if !state.taskEnded { counters.abandoned.add(1, ordering: .relaxed) }
            return (waiter, state.task)
        }
        task?.cancel()
        waiter?.resume(returning: reason)
    }

    private func taskEnded(_ result: Result) {
        let waiter = state.withLock { state -> CheckedContinuation<Result, Never>? in
            state.taskEnded = true
            if state.abandoned {
                counters.abandoned.subtract(1, ordering: .relaxed)
                return nil
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }
}
