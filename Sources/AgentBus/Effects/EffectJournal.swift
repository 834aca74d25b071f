import DequeModule
import Kafka
import Logging
import Synchronization

/// An agent instance's view of the agent's effect journal, `<agent>.journal`: the recorded
/// result of every effect a handling ran (keyed `<event ID>/<effect name>`), and a marker per
/// event handled to the end (`<event ID>/agentbus.handled`), which makes duplicate detection
/// survive restarts and rebalances.
///
/// Every instance reads the whole journal (the runtime's follower, from the beginning), so the
/// instance that handles an event again after a crash, a rebalance or a redrive finds what the
/// previous attempt recorded. Before an instance handles records of a new assignment,
/// ``catchUp(to:generation:)`` waits until the replica holds every entry written before it.
///
/// Memory is bounded: past ``memoryLimit`` bytes the oldest entries are dropped from the
/// replica (never from the topic). An effect whose entry was dropped runs again if its event
/// is ever handled again, so the limit should hold the entries of the events that can still
/// be redelivered (those not yet committed, and dead letters awaiting a redrive).
package final class EffectJournal: Sendable {
    package let topic: String
    package let memoryLimit: Int
    private let logger: Logger?

    private struct State {
        var entries: [String: EffectJournalEntry] = [:]
        /// Keys in the order they were first recorded, with their sizes, for eviction.
        var order: Deque<(key: String, size: Int)> = []
        var bytes = 0
        var evicted = 0
        /// How far the journal is read, and the assignment it last caught up for.
        var progress = ReplicaProgress()
    }

    private let state = Mutex(State())

    /// What an entry costs besides its bytes: the key twice (dictionary and eviction order),
    /// the arrays' headers, hash table slots. Measured: about 420 bytes an entry for 200,000
    /// small entries.
    static let entryOverhead = 320

    package init(topic: String, memoryLimit: Int = 64 << 20, logger: Logger? = nil) {
        self.topic = topic
        self.memoryLimit = memoryLimit
        self.logger = logger
    }

    /// The key of effect `name` of the handling of event `eventID`.
    package static func key(event eventID: String, effect name: String) -> String { "\(eventID)/\(name)" }

    /// The key of the marker that says event `eventID` was handled to the end.
    package static func handledKey(event eventID: String) -> String { key(event: eventID, effect: handledMarker) }

    /// The effect name of the handled marker; names starting with `agentbus.` are the runtime's.
    package static let handledMarker = "agentbus.handled"

    package func entry(for key: String) -> EffectJournalEntry? { state.withLock { $0.entries[key] } }

    package func contains(_ key: String) -> Bool { state.withLock { $0.entries[key] != nil } }

    /// Entries held in memory (for tests and debugging).
    package var count: Int { state.withLock { $0.entries.count } }

    /// Records an entry this instance wrote (or is writing), so its next attempts find it before
    /// it is read back.
    package func record(_ entry: EffectJournalEntry, for key: String) {
        let dropped = state.withLock { insert(entry, for: key, into: &$0) }
        warnIfDropped(dropped)
    }

    /// Applies a journal record read back from the topic.
    package func apply(_ record: KafkaRecord) {
        let dropped = state.withLock { state -> Int in
            // A record read again (the follower starts over after a failure) changes nothing.
            guard state.progress.read(partition: record.partition, offset: record.offset) else { return 0 }
            guard let key = record.key?.validUTF8String else { return 0 }
            if record.value.isEmpty && record.headers.string(named: EffectHeader.effect) == nil {
                remove(key, from: &state)  // a tombstone
                return 0
            }
            return insert(EffectJournalEntry(record: record), for: key, into: &state)
        }
        warnIfDropped(dropped)
    }

    private func insert(_ entry: EffectJournalEntry, for key: String, into state: inout State) -> Int {
        let size = entry.result.count + entry.call.count + key.utf8.count + Self.entryOverhead
        if let old = state.entries.updateValue(entry, forKey: key) {
            state.bytes += size - (old.result.count + old.call.count + key.utf8.count + Self.entryOverhead)
        } else {
            state.bytes += size
            state.order.append((key, size))
        }
        var dropped = 0
        while state.bytes > memoryLimit, let oldest = state.order.popFirst() {
            if let gone = state.entries.removeValue(forKey: oldest.key) {
                state.bytes -= gone.result.count + gone.call.count + oldest.key.utf8.count + Self.entryOverhead
                dropped += 1
            }
        }
        if dropped > 0 {
            state.evicted += dropped
            // Once per power of two, not per entry.
            return state.evicted & (state.evicted - 1) == 0 ? state.evicted : 0
        }
        return 0
    }

    private func remove(_ key: String, from state: inout State) {
        if let gone = state.entries.removeValue(forKey: key) {
            state.bytes -= gone.result.count + gone.call.count + key.utf8.count + Self.entryOverhead
        }
    }

    private func warnIfDropped(_ evicted: Int) {
        guard evicted > 0 else { return }
        logger?.warning(
            "effect journal replica over its memory limit; oldest entries dropped from memory",
            metadata: ["topic": "\(topic)", "limit_bytes": "\(memoryLimit)", "dropped": "\(evicted)"])
    }

    /// Whether the replica has caught up for assignment `generation` already.
    package func isCaughtUp(for generation: UInt64) -> Bool {
        state.withLock { $0.progress.isCaughtUp(for: generation) }
    }

    /// Waits until the replica has read every partition up to `highWatermarks`, then records
    /// `generation` as caught up. Returns false if cancelled first.
    package func catchUp(to highWatermarks: [Int32: Int64], generation: UInt64) async -> Bool {
        while !Task.isCancelled {
            let done = state.withLock { $0.progress.catchUp(to: highWatermarks, generation: generation) }
            if done { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
