import Synchronization

/// The workflows cancelled so far, as an instance learnt them from `agentbus.control`; bounded:
/// past `capacity` the oldest cancellations are forgotten (their workflows' events are long
/// handled or dropped by then).
package final class WorkflowCancellations: Sendable {
    private struct State {
        var reasons: [String: String] = [:]
        var order: [String] = []
        var head = 0
    }

    private let capacity: Int
    private let state = Mutex(State())
    private let ready = Atomic<Bool>(false)

    package init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
    }

    /// Records a cancellation; false when the workflow was cancelled already.
    @discardableResult
    package func insert(_ correlationID: String, reason: String) -> Bool {
        state.withLock { state in
            guard state.reasons[correlationID] == nil else { return false }
            state.reasons[correlationID] = reason
            state.order.append(correlationID)
            if state.order.count - state.head > capacity {
                state.reasons[state.order[state.head]] = nil
                state.head += 1
                if state.head > capacity {  // compact now and then, not at every insert
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
            return true
        }
    }

    /// Whether the cancellations written before the instance started have been read (or the
    /// runtime stopped waiting for them): until then, an event of a cancelled workflow could pass
    /// for one that is not.
    package var isReady: Bool { ready.load(ordering: .acquiring) }

    package func markReady() { ready.store(true, ordering: .releasing) }

    /// Waits until ``isReady`` or `stop` says to give up; returns ``isReady``.
    package func waitUntilReady(while proceed: () -> Bool) async -> Bool {
        // Once per instance start, for as long as reading the control topic takes.
        while !isReady, proceed() {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return isReady
    }

    package func contains(_ correlationID: String) -> Bool {
        state.withLock { $0.reasons[correlationID] != nil }
    }

    /// Why the workflow was cancelled, or nil when it was not.
    package func reason(for correlationID: String) -> String? {
        state.withLock { $0.reasons[correlationID] }
    }
}
