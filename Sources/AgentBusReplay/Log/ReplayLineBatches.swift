import AgentBus
import DequeModule
import Foundation
import Kafka

/// Hands parsed lines of a saved log from the thread that reads and parses them to the one that
/// indexes them, a batch at a time, so loading a large log uses two cores.
///
/// At most ``capacity`` batches wait, so a fast parser cannot run ahead and fill memory.
final class ReplayLineBatches: @unchecked Sendable {
    /// Up to a few thousand records parsed from consecutive lines.
    struct Batch: Sendable {
        var records: [KafkaRecord] = []
        /// The line of each record.
        var lines: [Int32] = []
        /// Lines that are not records, with why, in line order (merged with `records` by line).
        var problems: [(line: Int32, message: String)] = []
    }

    static let batchSize = 4_096
    private static let capacity = 8

    // NSCondition guards everything below.
    private let condition = NSCondition()
    private var waiting: Deque<Batch> = []
    private var finished = false

    func put(_ batch: Batch) {
        condition.lock()
        while waiting.count >= Self.capacity { condition.wait() }
        waiting.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// No more batches will come.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, or nil once the producer finished and everything was taken.
    func take() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !finished { condition.wait() }
        guard let batch = waiting.popFirst() else { return nil }
        condition.broadcast()
        return batch
    }
}
