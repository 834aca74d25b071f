import Kafka
import Synchronization

/// An agent instance's view of the agent's keyed state: a replica of the changelog topic
/// `<agent>.state` (the latest value per key; a tombstone deletes one), read by the runtime's
/// follower, plus the instance's own writes that it has not read back yet.
///
/// Every instance keeps the whole state, not only its partitions' keys: state is meant for what
/// workflows in progress need (pending fan-ins, approvals), which fits in memory. Before an
/// instance handles records of a new assignment, ``catchUp(to:)`` waits until the replica holds
/// every change written before that assignment, so the new owner of a partition sees what the
/// previous one wrote for the events it finished.
package final class StateStore: Sendable {
    package let topic: String

    private struct State {
        /// Read back from the changelog.
        var base: [String: [UInt8]] = [:]
        /// This instance's writes not read back yet, by key: the latest wins over `base`.
        var overlay: [String: Pending] = [:]
        /// How far the changelog is read, and the assignment it last caught up for.
        var progress = ReplicaProgress()
        /// Sets of changes partly read (see ``StateChangeSet``), by set: applied when complete.
        var incomplete: [String: [Change]] = [:]
        /// The sets in `incomplete` holding a change of each key, so a later change of the key
        /// can mark theirs as overtaken.
        var incompleteByKey: [String: Set<String>] = [:]
        /// The sets in `incomplete`, oldest first, to give up the oldest past ``maxIncomplete``.
        var incompleteOrder: [String] = []
        var incompleteOrderStart = 0
    }

    private struct Pending {
        var value: [UInt8]?
        var writeID: String
    }

    /// A change read from the changelog.
    private struct Change {
        var key: String
        var value: [UInt8]?
        var writeID: String?
        var offset: Int64
        /// A later change of the key was applied first: applying this one would put an older
        /// value back.
        var overtaken = false
    }

    /// How many partly read sets are kept. A set stays incomplete for good only when the
    /// handling that wrote it died mid-write, so this many means something else is wrong; the
    /// oldest is then dropped rather than letting memory grow.
    static let maxIncomplete = 100_000

    private let state = Mutex(State())

    package init(topic: String) {
        self.topic = topic
    }

    /// The value of `key`, or nil when it has none.
    package func value(for key: String) -> [UInt8]? {
        state.withLock { state in
            if let pending = state.overlay[key] { return pending.value }
            return state.base[key]
        }
    }

    /// Keys with a value (for tests and debugging).
    package var count: Int {
        state.withLock { state in
            var keys = Set(state.base.keys)
            for (key, pending) in state.overlay {
                if pending.value == nil { keys.remove(key) } else { keys.insert(key) }
            }
            return keys.count
        }
    }

    /// Sets of changes read in part, waiting for the rest (for tests and debugging).
    package var incompleteSets: Int { state.withLock { $0.incomplete.count } }

    /// Applies a changelog record read back from the topic: at once when it stands alone, with
    /// the rest of its set once the set is read in full (see ``StateChangeSet``).
    package func apply(_ record: KafkaRecord) {
        let key = record.key?.validUTF8String
        let change = key.map {
            Change(
                key: $0, value: record.value.isEmpty ? nil : record.value.array,
                writeID: record.headers.string(named: StateHeader.writeID), offset: record.offset)
        }
        let membership = StateChangeSet.membership(of: record)
        state.withLock { state in
            // A record read before (the follower starts again from the beginning after a
            // failure) would put an older value back: only newer records apply.
            // Counted as read even without a key (not ours to interpret), so a catch-up ends.
            guard state.progress.read(partition: record.partition, offset: record.offset) else { return }
            guard let change else { return }
            guard let membership else { return Self.apply(change, to: &state) }
            var changes = state.incomplete[membership.set] ?? []
            if changes.isEmpty { Self.listIncomplete(membership.set, in: &state) }
            changes.append(change)
            guard changes.count >= membership.size else {
                state.incomplete[membership.set] = changes
                state.incompleteByKey[change.key, default: []].insert(membership.set)
                return
            }
            Self.forget(set: membership.set, changes: changes, in: &state)
            // In changelog order per key (keys of one partition are read in order); a key
            // changed twice in one handling ends with its second change.
            for change in changes.sorted(by: { $0.offset < $1.offset }) { Self.apply(change, to: &state) }
        }
    }

    private static func apply(_ change: Change, to state: inout State) {
        if let writeID = change.writeID, state.overlay[change.key]?.writeID == writeID { state.overlay[change.key] = nil }
        guard !change.overtaken else { return }
        state.base[change.key] = change.value
        // The key's changes in sets still incomplete are older (same partition, lower offset):
        // applied later, they would undo this one.
        guard let sets = state.incompleteByKey[change.key] else { return }
        for set in sets {
            guard var changes = state.incomplete[set] else { continue }
            for index in changes.indices where changes[index].key == change.key && changes[index].offset < change.offset {
                changes[index].overtaken = true
            }
            state.incomplete[set] = changes
        }
    }

    private static func forget(set: String, changes: [Change], in state: inout State) {
        state.incomplete[set] = nil
        for change in changes {
            state.incompleteByKey[change.key]?.remove(set)
            if state.incompleteByKey[change.key]?.isEmpty == true { state.incompleteByKey[change.key] = nil }
        }
    }

    /// Lists a set read in part for the first time, giving up the oldest past ``maxIncomplete``.
    private static func listIncomplete(_ set: String, in state: inout State) {
        // Sets completed since stay listed until the list is twice as long as the sets still
        // incomplete: then it is rebuilt.
        if state.incompleteOrder.count - state.incompleteOrderStart > 2 * state.incomplete.count + 1024 {
            let incomplete = state.incomplete
            state.incompleteOrder = state.incompleteOrder[state.incompleteOrderStart...].filter { incomplete[$0] != nil }
            state.incompleteOrderStart = 0
        }
        while state.incomplete.count >= maxIncomplete, state.incompleteOrderStart < state.incompleteOrder.count {
            let oldest = state.incompleteOrder[state.incompleteOrderStart]
            state.incompleteOrderStart += 1
            if let changes = state.incomplete[oldest] { forget(set: oldest, changes: changes, in: &state) }
        }
        state.incompleteOrder.append(set)
    }

    /// Makes a handling's changes visible to this instance's next handlings at once, before they
    /// are read back from the changelog.
    package func applyLocal(_ writes: [RuntimeWrite]) {
        state.withLock { state in
            for write in writes where write.topic == topic {
                guard let change = write.stateChange else { continue }
                state.overlay[write.key] = Pending(value: write.value, writeID: change.writeID)
            }
        }
    }

    /// Takes back a change ``applyLocal(_:)`` showed that was never sent, unless a later change
    /// of the key replaced it.
    package func withdraw(_ write: RuntimeWrite) {
        guard let change = write.stateChange else { return }
        state.withLock { state in
            if state.overlay[write.key]?.writeID == change.writeID { state.overlay[write.key] = nil }
        }
    }

    /// Whether the replica has caught up for assignment `generation` already.
    package func isCaughtUp(for generation: UInt64) -> Bool {
        state.withLock { $0.progress.isCaughtUp(for: generation) }
    }

    /// Waits until the replica has read every partition up to `highWatermarks` (the offsets the
    /// next records will get, looked up after the assignment began), then records `generation`
    /// as caught up. Returns false if cancelled first.
    package func catchUp(to highWatermarks: [Int32: Int64], generation: UInt64) async -> Bool {
        while !Task.isCancelled {
            let done = state.withLock { $0.progress.catchUp(to: highWatermarks, generation: generation) }
            if done { return true }
            // Once per assignment, for as long as the changelog takes to read: a short poll is
            // simpler than a signal from every record applied.
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
