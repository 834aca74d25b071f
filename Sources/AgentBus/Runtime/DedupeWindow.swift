import DequeModule
import Synchronization

/// The events an instance handled recently, by `ce_source` and `ce_id`, so a redelivered event
/// (after a crash or rebalance, or a duplicate from upstream) is skipped rather than handled twice.
///
/// Bounded by age and by count, oldest first out. It lives in memory: a new instance starts
/// empty, and the derived output IDs make whatever it handles again harmless downstream.
package final class DedupeWindow: Sendable {
    private struct State {
        var seen: [Key: Int64] = [:]
        var order: Deque<(key: Key, at: Int64)> = []
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let maxAgeMilliseconds: Int64

    package init(capacity: Int, window: Duration) {
        self.capacity = max(0, capacity)
        self.maxAgeMilliseconds = window.wholeMilliseconds
    }

    /// An event's identity: `ce_source` and `ce_id` together (the strings the envelope already
    /// holds; nothing is concatenated).
    package struct Key: Hashable, Sendable {
        let source: String
        let id: String
    }

    package static func key(source: String, id: String) -> Key { Key(source: source, id: id) }

    package func contains(_ key: Key, now: Int64) -> Bool {
        guard capacity > 0 else { return false }
        return state.withLock { state in
            guard let at = state.seen[key] else { return false }
            return now - at <= maxAgeMilliseconds
        }
    }

    package func insert(_ key: Key, now: Int64) {
        guard capacity > 0 else { return }
        state.withLock { state in
            state.seen[key] = now
            state.order.append((key, now))
            while let oldest = state.order.first,
                state.order.count > capacity || now - oldest.at > maxAgeMilliseconds
            {
                state.order.removeFirst()
                // A key seen again since has a newer entry further back: keep it.
                if state.seen[oldest.key] == oldest.at { state.seen[oldest.key] = nil }
            }
        }
    }
}
