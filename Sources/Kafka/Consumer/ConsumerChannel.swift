import Synchronization

/// Hands batches of records from the polling thread to the one task reading the consumer.
///
/// Bounded: when the reader falls behind by `capacity` batches, the polling thread stops fetching
/// (``waitForRoom(_:)``) until the reader catches up. One lock per batch, none per record.
final class ConsumerChannel: Sendable {
    private struct State {
        var batches: [[KafkaRecord]] = []
        var reader: CheckedContinuation<[KafkaRecord]?, any Error>?
        var readerCancelled = false
        var pollerWaitingForRoom = false
        var finished = false
        var failure: KafkaError?
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let wakeup: RDKafkaWakeup

    init(capacity: Int, wakeup: RDKafkaWakeup) {
        self.capacity = max(1, capacity)
        self.wakeup = wakeup
    }

    // MARK: Polling thread side

    /// True when the reader has room for another batch; otherwise notes that the poller waits,
    /// so the reader's next take wakes it.
    func hasRoom() -> Bool {
        state.withLock { state in
            if state.finished || state.batches.count < capacity { return true }
            state.pollerWaitingForRoom = true
            return false
        }
    }

    func send(_ batch: [KafkaRecord]) {
        let reader: CheckedContinuation<[KafkaRecord]?, any Error>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let reader = state.reader {
                state.reader = nil
                return reader
            }
            state.batches.append(batch)
            return nil
        }
        reader?.resume(returning: batch)
    }

    /// Ends the sequence. Buffered batches are dropped (their offsets were not stored, so they are
    /// delivered again to whoever owns the partitions next); the reader gets `nil`, or `failure`.
    func finish(failure: KafkaError? = nil) {
        let reader: CheckedContinuation<[KafkaRecord]?, any Error>? = state.withLock { state in
            state.finished = true
            state.failure = failure
            state.batches.removeAll()
            defer { state.reader = nil }
            return state.reader
        }
        if let failure { reader?.resume(throwing: failure) } else { reader?.resume(returning: nil) }
    }

    // MARK: Reader side

    /// The next batch, `nil` at the end (close or cancellation), or the error that ended it.
    func next() async throws -> [KafkaRecord]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enum Action { case resume([KafkaRecord]?, signal: Bool), fail(KafkaError), wait }
                let action: Action = state.withLock { state in
                    if !state.batches.isEmpty {
                        let batch = state.batches.removeFirst()
                        let signal = state.pollerWaitingForRoom
                        state.pollerWaitingForRoom = false
                        return .resume(batch, signal: signal)
                    }
                    if state.finished {
                        return state.failure.map { .fail($0) } ?? .resume(nil, signal: false)
                    }
                    if state.readerCancelled { return .resume(nil, signal: false) }
                    state.reader = continuation
                    return .wait
                }
                switch action {
                case .resume(let batch, let signal):
                    if signal { wakeup.signal() }
                    continuation.resume(returning: batch)
                case .fail(let error):
                    continuation.resume(throwing: error)
                case .wait:
                    break
                }
            }
        } onCancel: {
            let reader = state.withLock { state in
                state.readerCancelled = true
                defer { state.reader = nil }
                return state.reader
            }
            reader?.resume(returning: nil)
        }
    }
}
