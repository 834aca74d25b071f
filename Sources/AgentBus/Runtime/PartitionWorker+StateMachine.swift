import DequeModule

extension PartitionWorker {
    /// One partition's records between the reading task and the worker, as a value: what is
    /// queued for the worker, how many records are read and not finished, whether the partition
    /// is paused at the consumer, and whether the partition is still this worker's.
    ///
    /// The worker keeps it under one lock and carries out the actions it returns (pausing and
    /// resuming at the consumer, waking itself), so the rules live here and are tested without
    /// Kafka. A worker serves one assignment of its partition: a revocation ends it, and records
    /// of a later assignment go to a new worker, which starts unpaused as librdkafka does.
    struct StateMachine<Record> {
        enum Phase: Equatable {
            /// The partition is assigned and records flow.
            case active
            /// The partition was revoked or the consumer closed: nothing more is queued or taken.
            case ended
        }

        /// What the reading side does after a record arrived.
        struct Arrival {
            /// The worker was waiting: hand it these records (the queue is empty again).
            var handOver: Deque<Record>?
            /// Pause the partition at the consumer (then ``pauseFailed()`` if that fails).
            var pause = false
            /// The worker has ended: the record is dropped, never tracked, so it is read again
            /// by whoever owns the partition next.
            var dropped = false
        }

        /// What the worker does when it asks for records.
        enum Take {
            case records(Deque<Record>)
            /// Nothing queued: wait for a hand-over.
            case wait
            /// The worker's partition is gone (or the consumer closed): stop.
            case end
        }

        let maxBuffered: Int
        private(set) var phase: Phase = .active
        private(set) var queued: Deque<Record> = []
        /// Read and not finished: queued, or taken by the worker and not yet finished.
        private(set) var buffered = 0
        private(set) var isPaused = false
        private(set) var isWorkerWaiting = false

        /// `maxBuffered`: how many records may be read ahead of the worker before the partition is
        /// paused; it is resumed when half of them are done.
        init(maxBuffered: Int) {
            self.maxBuffered = max(1, maxBuffered)
        }

        mutating func arrived(_ record: Record) -> Arrival {
            guard phase == .active else { return Arrival(dropped: true) }
            buffered += 1
            var arrival = Arrival()
            if isWorkerWaiting {
                isWorkerWaiting = false
                arrival.handOver = [record]
            } else {
                queued.append(record)
            }
            if buffered >= maxBuffered, !isPaused {
                isPaused = true
                arrival.pause = true
            }
            return arrival
        }

        /// The consumer refused the pause (the partition is no longer assigned): not paused.
        mutating func pauseFailed() { isPaused = false }

        mutating func take() -> Take {
            if !queued.isEmpty {
                defer { queued = [] }
                return .records(queued)
            }
            guard phase == .active else { return .end }
            isWorkerWaiting = true
            return .wait
        }

        /// The worker finished `count` records it took (handled, skipped or abandoned). Returns
        /// true when the partition must be resumed at the consumer.
        mutating func finished(_ count: Int = 1) -> Bool {
            buffered -= count
            guard isPaused, phase == .active, buffered <= maxBuffered / 2 else { return false }
            isPaused = false
            return true
        }

        /// The partition was revoked or the consumer closed. Drops what is queued (none of it
        /// was tracked, so its offsets are never stored) and returns whether the worker was
        /// waiting and must be woken to end.
        mutating func end() -> (dropped: Int, wakeWorker: Bool) {
            guard phase == .active else { return (0, false) }
            phase = .ended
            let dropped = queued.count
            buffered -= dropped
            queued = []
            defer { isWorkerWaiting = false }
            return (dropped, isWorkerWaiting)
        }
    }
}
