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
    }

    private struct Pending {
        var value: [UInt8]?
        var writeID: String
    }

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

    /// Applies a changelog record read back from the topic.
    package func apply(_ record: KafkaRecord) {
        let key = record.key?.validUTF8String
        let writeID = record.headers.string(named: StateHeader.writeID)
        state.withLock { state in
            // A record read before (the follower starts again from the beginning after a
            // failure) would put an older value back: only newer records apply.
            // Counted as read even without a key (not ours to interpret), so a catch-up ends.
            guard state.progress.read(partition: record.partition, offset: record.offset) else { return }
            guard let key else { return }
            if record.value.isEmpty { state.base[key] = nil } else { state.base[key] = record.value.array }
            if let writeID, state.overlay[key]?.writeID == writeID { state.overlay[key] = nil }
        }
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
