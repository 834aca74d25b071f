import Synchronization

/// One handling at a time per workflow (correlation ID), for agents that keep state: a handling
/// reads the state, changes it and writes it, and two of the same workflow running at once (its
/// events arrive on different topics or partitions) would each write over the other's change.
///
/// Only workflows with a handling running have an entry, so the set stays as small as the
/// concurrency. Waiting is polling (see ``EventProcessor``): a waiter must be able to give up at
/// once on a stop or a revocation, and contention (two events of one workflow at the same
/// moment) is rare.
final class WorkflowLocks: Sendable {
    private let held = Mutex<Set<String>>([])

    /// Holds `workflow` if no other handling does; returns whether it now holds it.
    func tryAcquire(_ workflow: String) -> Bool {
        held.withLock { $0.insert(workflow).inserted }
    }

    func release(_ workflow: String) {
        _ = held.withLock { $0.remove(workflow) }
    }

    /// Workflows held (for tests).
    var count: Int { held.withLock { $0.count } }
}
