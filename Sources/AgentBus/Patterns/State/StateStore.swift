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
        /// When each key in `base` was written (CreateTime), and when recently deleted keys were
        /// deleted: a set listing a key changed since it was written is settled for that key.
        var written: [String: Int64] = [:]
        var deleted = RecentTimes(capacity: 200_000)
        /// This instance's writes not read back yet, by key: the latest wins over `base`.
        var overlay: [String: Pending] = [:]
        /// How far the changelog is read, and the assignment it last caught up for.
        var progress = ReplicaProgress()
        /// Sets of changes read in part (see ``StateChangeSet``), by set: applied when complete.
        var incomplete: [String: IncompleteSet] = [:]
        /// The sets in `incomplete` with each key among their members.
        var incompleteByKey: [String: Set<String>] = [:]
        /// The sets in `incomplete`, oldest first, to give up the oldest past ``maxIncomplete``.
        var incompleteOrder: [String] = []
        var incompleteOrderStart = 0
        /// Sets applied lately, so a member read after its set was applied without it (see
        /// ``IncompleteSet/settled``) applies on its own instead of waiting for the rest again.
        var applied = RecentSets(capacity: 50_000)
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
        /// CreateTime, milliseconds since 1970.
        var time: Int64
        /// A later change of the key was applied first: applying this one would put an older
        /// value back.
        var overtaken = false
    }

    /// A set of changes read in part.
    private struct IncompleteSet {
        let members: Set<String>
        var changes: [String: Change] = [:]
        /// Members whose own record is not read but a later change of theirs is: their record
        /// in this set was compacted away (a later value replaced it), or never written.
        var settled: Set<String> = []
        /// The newest CreateTime among its records read.
        var time: Int64 = .min

        var isComplete: Bool { members.allSatisfy { changes[$0] != nil || settled.contains($0) } }
    }

    /// How many partly read sets are kept. Sets complete as the replica reads on; one stays
    /// incomplete only when a handling died while writing it and no later change of its
    /// missing keys was written. Past this many (which would mean something else is wrong),
    /// the oldest is dropped, with a warning, rather than letting memory grow.
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
    /// the rest of its set once the set is complete (see ``StateChangeSet``). Returns how many
    /// incomplete sets it gave up to stay within ``maxIncomplete`` (normally 0).
    ///
    /// A set is complete when each of its members is read, or is settled: a change of that key
    /// written after the set (a newer CreateTime) was read while the set's own record of it was
    /// not. Records of one partition are read in order, so the set's record of that key is not
    /// in the changelog: compaction removed it (the later change replaced it), or the handling
    /// that wrote the set died before writing it. Either way the key's value comes from the
    /// later change, and the rest of the set applies.
    @discardableResult
    package func apply(_ record: KafkaRecord) -> Int {
        let key = record.key?.validUTF8String
        let time = record.timestamp?.millisecondsSince1970 ?? .min
        let change = key.map {
            Change(
                key: $0, value: record.value.isEmpty ? nil : record.value.array,
                writeID: record.headers.string(named: StateHeader.writeID), offset: record.offset, time: time)
        }
        let membership = StateChangeSet.membership(of: record)
        return state.withLock { state -> Int in
            // A record read before (the follower starts again from the beginning after a
            // failure) would put an older value back: only newer records apply.
            // Counted as read even without a key (not ours to interpret), so a catch-up ends.
            guard state.progress.read(partition: record.partition, offset: record.offset) else { return 0 }
            guard let change else { return 0 }
            var dropped = 0
            var touched = Self.settle(change.key, at: time, except: membership?.set, in: &state)
            if let membership, !state.applied.contains(membership.set) {
                if state.incomplete[membership.set] == nil {
                    dropped = Self.listIncomplete(membership.set, in: &state)
                    var incomplete = IncompleteSet(members: membership.members)
                    // A member changed again since (its later change read first, on a partition
                    // read ahead of this one) is settled already.
                    for member in membership.members where member != change.key {
                        if let written = state.written[member] ?? state.deleted[member], written >= time {
                            incomplete.settled.insert(member)
                        }
                    }
                    state.incomplete[membership.set] = incomplete
                    for member in membership.members { state.incompleteByKey[member, default: []].insert(membership.set) }
                }
                if var incomplete = state.incomplete[membership.set] {
                    incomplete.changes[change.key] = change
                    incomplete.time = max(incomplete.time, time)
                    state.incomplete[membership.set] = incomplete
                }
                touched.insert(membership.set)
            } else {
                Self.apply(change, to: &state)
            }
            for set in touched {
                guard let incomplete = state.incomplete[set], incomplete.isComplete else { continue }
                Self.forget(set: set, in: &state)
                state.applied.insert(set)
                // In changelog order per key (keys of one partition are read in order).
                for change in incomplete.changes.values.sorted(by: { $0.offset < $1.offset }) {
                    Self.apply(change, to: &state)
                }
            }
            return dropped
        }
    }

    /// A change of `key` written at `time` was read: the sets listing `key` whose own record of
    /// it is not read, and that were written before `time`, are settled for it. Returns them.
    private static func settle(_ key: String, at time: Int64, except own: String?, in state: inout State) -> Set<String> {
        guard let sets = state.incompleteByKey[key] else { return [] }
        var settled: Set<String> = []
        for set in sets where set != own {
            guard var incomplete = state.incomplete[set], incomplete.changes[key] == nil, time >= incomplete.time else { continue }
            incomplete.settled.insert(key)
            state.incomplete[set] = incomplete
            settled.insert(set)
        }
        return settled
    }

    private static func apply(_ change: Change, to state: inout State) {
        if let writeID = change.writeID, state.overlay[change.key]?.writeID == writeID { state.overlay[change.key] = nil }
        guard !change.overtaken else { return }
        state.base[change.key] = change.value
        if change.value == nil {
            state.written[change.key] = nil
            state.deleted[change.key] = change.time
        } else {
            state.written[change.key] = change.time
        }
        // The key's changes in sets still incomplete are older (same partition, lower offset):
        // applied later, they would undo this one.
        guard let sets = state.incompleteByKey[change.key] else { return }
        for set in sets {
            guard var incomplete = state.incomplete[set], let own = incomplete.changes[change.key], own.offset < change.offset
            else { continue }
            incomplete.changes[change.key]?.overtaken = true
            state.incomplete[set] = incomplete
        }
    }

    private static func forget(set: String, in state: inout State) {
        guard let incomplete = state.incomplete.removeValue(forKey: set) else { return }
        for member in incomplete.members {
            state.incompleteByKey[member]?.remove(set)
            if state.incompleteByKey[member]?.isEmpty == true { state.incompleteByKey[member] = nil }
        }
    }

    /// Lists a set read in part for the first time, giving up the oldest past ``maxIncomplete``;
    /// returns how many it gave up.
    private static func listIncomplete(_ set: String, in state: inout State) -> Int {
        // Sets completed since stay listed until the list is twice as long as the sets still
        // incomplete: then it is rebuilt.
        if state.incompleteOrder.count - state.incompleteOrderStart > 2 * state.incomplete.count + 1024 {
            let incomplete = state.incomplete
            state.incompleteOrder = state.incompleteOrder[state.incompleteOrderStart...].filter { incomplete[$0] != nil }
            state.incompleteOrderStart = 0
        }
        var dropped = 0
        while state.incomplete.count >= maxIncomplete, state.incompleteOrderStart < state.incompleteOrder.count {
            let oldest = state.incompleteOrder[state.incompleteOrderStart]
            state.incompleteOrderStart += 1
            if state.incomplete[oldest] != nil {
                forget(set: oldest, in: &state)
                dropped += 1
            }
        }
        state.incompleteOrder.append(set)
        return dropped
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
