import DequeModule
import Kafka
import Synchronization

/// Records read for one partition and not yet taken by its worker.
///
/// The reading task appends; the worker takes everything there is at once, so under load the
/// hand-over costs one lock per batch, not per record.
final class PartitionInbox: Sendable {
    private struct State {
        var records: Deque<KafkaRecord> = []
        var waiter: CheckedContinuation<Deque<KafkaRecord>?, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    func append(_ record: KafkaRecord) {
        let waiter: CheckedContinuation<Deque<KafkaRecord>?, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                _ = waiter
                return waiter
            }
            state.records.append(record)
            return nil
        }
        waiter?.resume(returning: [record])
    }

    /// Everything queued, waiting for at least one record; nil once closed or cancelled.
    func takeAll() async -> Deque<KafkaRecord>? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Deque<KafkaRecord>?? = state.withLock { state in
                    if !state.records.isEmpty {
                        defer { state.records = [] }
                        return .some(state.records)
                    }
                    if state.closed || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }

    /// Ends ``takeAll()`` for good.
    func close() {
        let waiter = state.withLock { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
