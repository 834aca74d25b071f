import Synchronization

/// One handling at a time per workflow (correlation ID), for agents that keep state: a handling
/// reads the state, changes it and writes it, and two of the same workflow running at once (its
/// events arrive on different topics or partitions) would each write over the other's change.
///
/// Waiters are served in arrival order. Only workflows with a handling running or waiting have an
/// entry, so the table stays as small as the concurrency.
final class WorkflowLocks: Sendable {
    private struct Entry {
        /// Handlings waiting for this workflow, in arrival order.
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Waits until no other handling of `workflow` holds it, then holds it.
    func acquire(_ workflow: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = entries.withLock { entries in
                if entries[workflow] == nil {
                    entries[workflow] = Entry()
                    return true
                }
                entries[workflow]!.waiters.append(continuation)
                return false
            }
            if free { continuation.resume() }
        }
    }

    /// Hands `workflow` to its next waiter, or frees it.
    func release(_ workflow: String) {
        let next = entries.withLock { entries -> CheckedContinuation<Void, Never>? in
            guard var entry = entries[workflow] else { return nil }
            guard !entry.waiters.isEmpty else {
                entries[workflow] = nil
                return nil
            }
            let next = entry.waiters.removeFirst()
            entries[workflow] = entry
            return next
        }
        next?.resume()
    }

    /// Workflows held or waited for (for tests).
    var count: Int { entries.withLock { $0.count } }
}
