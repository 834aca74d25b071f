import Foundation
import Synchronization

/// The lines a child process printed, and the tests waiting for some of them.
public final class PrintedLines: Sendable {
    private struct Waiter {
        let id: UUID
        let predicate: @Sendable ([String]) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var lines: [String] = []
        var waiters: [Waiter] = []
        var ended = false
    }

    private let state = Mutex(State())

    public init() {}

    public var all: [String] { state.withLock { $0.lines } }

    public func append(_ lines: [String]) {
        let ready = state.withLock { state in
            state.lines += lines
            let snapshot = state.lines
            let ready = state.waiters.filter { $0.predicate(snapshot) }
            state.waiters.removeAll { waiter in ready.contains { $0.id == waiter.id } }
            return ready.map(\.continuation)
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    public func end() {
        let waiting = state.withLock { state in
            state.ended = true
            defer { state.waiters = [] }
            return state.waiters.map(\.continuation)
        }
        for continuation in waiting { continuation.resume(returning: false) }
    }

    /// Waits until the lines satisfy `predicate`; false if the output ended first or `timeout`
    /// (a safety net for a broken build) passed.
    public func waitFor(timeout: Duration, _ predicate: @escaping @Sendable ([String]) -> Bool) async -> Bool {
        let id = UUID()
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let immediate: Bool? = self.state.withLock { state in
                        if predicate(state.lines) { return true }
                        if state.ended || Task.isCancelled { return false }
                        state.waiters.append(Waiter(id: id, predicate: predicate, continuation: continuation))
                        return nil
                    }
                    if let immediate { continuation.resume(returning: immediate) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLock { state in
                    state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
                }
                waiter?.continuation.resume(returning: false)
                return false
            }
            let result = await group.next()!
            group.cancelAll()
            return result
        }
    }
}
