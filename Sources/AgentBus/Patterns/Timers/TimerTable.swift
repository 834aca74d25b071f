import Kafka

/// The pending timers of the `<agent>.timers` partitions an instance owns, folded from the
/// partitions' records: a record sets (or replaces) the timer of its key, a tombstone removes it.
///
/// A partition's timers may fire only once the partition has been read up to its end
/// (``isCaughtUp(_:highWatermark:)``): until then a later record could cancel or replace one.
package struct TimerTable {
    package struct Timer: Sendable {
        package let id: String
        package let correlationID: String
        /// Milliseconds since 1970.
        package let due: Int64
        package let partition: Int32
        /// The timer record (with storage of its own): the event's envelope headers and payload.
        package let record: KafkaRecord
    }

    private var timers: [String: Timer] = [:]
    /// Timers whose event was handed to the producer and not acknowledged yet: not due again
    /// meanwhile.
    private var firing: Set<String> = []
    /// Per partition: the offset of the last record applied.
    private var applied: [Int32: Int64] = [:]

    package init() {}

    package var count: Int { timers.count }

    /// Folds one record of the timers topic in. A record without a valid due time is dropped
    /// (it cannot fire), as is one without a key.
    package mutating func apply(_ record: KafkaRecord) {
        applied[record.partition] = max(applied[record.partition] ?? -1, record.offset)
        guard let id = record.key?.validUTF8String else { return }
        guard !record.value.isEmpty, let due = record.headers.string(named: TimerHeader.due).flatMap({ Int64($0) }) else {
            timers[id] = nil
            return
        }
        let correlationID = record.headers.string(named: EnvelopeHeader.correlationID) ?? ""
        timers[id] = Timer(
            id: id, correlationID: correlationID, due: due, partition: record.partition, record: record.withOwnStorage())
    }

    /// Whether partition `partition` has been read up to `highWatermark` (the offset its next
    /// record will get). A partition of which nothing was read holds no timers, so it need not
    /// be.
    package func isCaughtUp(_ partition: Int32, highWatermark: Int64?) -> Bool {
        guard let last = applied[partition] else { return true }
        guard let highWatermark else { return false }
        return last + 1 >= highWatermark
    }

    /// Partitions read from so far.
    package var partitions: [Int32] { Array(applied.keys) }

    /// The timers due at `now` in the partitions `ready` accepts, earliest first.
    package func due(at now: Int64, in ready: (Int32) -> Bool) -> [Timer] {
        timers.values.filter { $0.due <= now && !firing.contains($0.id) && ready($0.partition) }.sorted { ($0.due, $0.id) < ($1.due, $1.id) }
    }

    /// The timer `id`, if pending.
    package func timer(_ id: String) -> Timer? { timers[id] }

    /// Marks a timer's event as handed to the producer.
    package mutating func markFiring(_ timer: Timer) { firing.insert(timer.id) }

    /// The timer's event was not delivered: it is due again at the next look.
    package mutating func fireFailed(_ timer: Timer) { firing.remove(timer.id) }

    /// Removes the timer `id` if it is still the one given. Returns false when a newer timer of
    /// the same ID replaced it meanwhile: then no tombstone may be written for the ID, or it
    /// would delete the replacement.
    @discardableResult
    package mutating func remove(_ timer: Timer) -> Bool {
        firing.remove(timer.id)
        guard let current = timers[timer.id] else { return true }
        guard current.record.offset == timer.record.offset, current.partition == timer.partition else { return false }
        timers[timer.id] = nil
        return true
    }

    /// Removes and returns the timers of workflow `correlationID`.
    package mutating func removeWorkflow(_ correlationID: String) -> [Timer] {
        let removed = timers.values.filter { $0.correlationID == correlationID }
        for timer in removed { timers[timer.id] = nil }
        return removed
    }

    /// Forgets the partitions given up in a rebalance: their next owner reads them again.
    package mutating func drop(partitions: Set<Int32>) {
        timers = timers.filter { !partitions.contains($0.value.partition) }
        for partition in partitions { applied[partition] = nil }
    }
}
