import Synchronization

/// Hands batches of records from the polling thread to the one task reading the consumer.
///
/// Bounded: the polling thread hands over a batch only while fewer than `capacity` wait
/// (``hasRoom()``); when the reader falls that far behind, the polling thread pauses its
/// partitions at librdkafka (it keeps polling, to serve the group) and resumes them once the
/// reader has taken enough. One lock per batch, none per record.
final class ConsumerChannel: Sendable {
    private struct State {
        var batches: [[KafkaRecord]] = []
        var reader: CheckedContinuation<[KafkaRecord]?, any Error>?
        var readerCancelled = false
        /// The reader wakes the polling thread when a take leaves at most this many batches;
        /// -1 when the polling thread waits for nothing.
        var pollerWakeLevel = -1
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

    /// True when the reader has room for another batch.
    func hasRoom() -> Bool { holds(atMost: capacity - 1) }

    /// True when the reader has taken all but at most half of the buffer: the point at which a
    /// paused consumer fetches again. Waiting for half rather than one batch spares a pause and
    /// a resume (each drops what librdkafka had fetched ahead) per batch when the reader is
    /// steadily slower than the fetching.
    func hasRoomToResume() -> Bool { holds(atMost: capacity / 2) }

    /// True when at most `limit` batches wait; otherwise the reader's take that brings them down
    /// to `limit` wakes the polling thread.
    private func holds(atMost limit: Int) -> Bool {
        state.withLock { state in
            if state.finished || state.batches.count <= limit { return true }
            state.pollerWakeLevel = max(state.pollerWakeLevel, limit)
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
                        let signal = state.batches.count <= state.pollerWakeLevel
                        if signal { state.pollerWakeLevel = -1 }
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
