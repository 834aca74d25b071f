/// How far a replica of a topic read in full (the state changelog, the effect journal) has
/// read each partition, and the consumer assignment generation it last caught up for: the part
/// ``StateStore`` and ``EffectJournal`` share. Kept under its owner's lock.
struct ReplicaProgress {
    /// Per partition, the offset of the last record read.
    private var applied: [Int32: Int64] = [:]
    /// Nil until the first catch-up: the first assignment (generation 0) must wait for one too.
    private var caughtUpGeneration: UInt64?

    /// Records that the record at `offset` of `partition` is read; false when it was read before
    /// (a follower that starts over reads from the beginning again), so it must not apply.
    mutating func read(partition: Int32, offset: Int64) -> Bool {
        guard offset > (applied[partition] ?? -1) else { return false }
        applied[partition] = offset
        return true
    }

    /// Whether the replica has caught up for assignment `generation` already.
    func isCaughtUp(for generation: UInt64) -> Bool {
        caughtUpGeneration.map { $0 >= generation } ?? false
    }

    /// Whether every partition is read up to `highWatermarks` (the offsets the next records will
    /// get); if so, `generation` is recorded as caught up.
    mutating func catchUp(to highWatermarks: [Int32: Int64], generation: UInt64) -> Bool {
        let caughtUp = highWatermarks.allSatisfy { partition, high in
            high <= 0 || (applied[partition] ?? -1) + 1 >= high
        }
        if caughtUp { caughtUpGeneration = max(caughtUpGeneration ?? generation, generation) }
        return caughtUp
    }
}

