import Foundation
import Kafka
import Testing
import TestSupport

/// Consumers as real `agentbus kafka consume` processes against a dev-broker process.
@Suite("Consumer groups across processes", .serialized, .timeLimit(.minutes(3)))
struct ConsumerGroupProcessTests {
    /// Produces `count` records with distinct values `prefix-<n>` and distinct keys.
    func produce(_ count: Int, prefix: String, topic: String, to bootstrap: String) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap], linger: .milliseconds(1)))
        for index in 0..<count {
            try await producer.produce(topic: topic, key: "key-\(index)", value: "\(prefix)-\(index)")
        }
        try await producer.close()
        #expect(producer.deliveredCount == count)
    }

    func consumer(group: String, topic: String, broker: DevBrokerProcess, extra: [String] = []) throws -> ChildProcess {
        try ChildProcess(
            ["kafka", "consume", topic, "--group", group, "--json", "--bootstrap-file", broker.bootstrapFile,
             "-X", "auto.commit.interval.ms=100"] + extra)
    }

    @Test("two consumer processes in one group split the partitions and consume every record once")
    func twoProcessesSplitPartitions() async throws {
        let broker = try await DevBrokerProcess.start(topics: "split:6")
        defer { Task { await broker.stop() } }
        let all: Set<String> = Set((0..<6).map { "split/\($0)" })

        let first = try consumer(group: "split-group", topic: "split", broker: broker)
        #expect(await first.waitFor { $0.currentAssignment == all })

        // The second member joins after session.timeout.ms - 1 s (the dev-broker file gives 6 s).
        let second = try consumer(group: "split-group", topic: "split", broker: broker)
        let balanced: @Sendable ([String]) -> Bool = { $0.currentAssignment.count == 3 }
        #expect(await second.waitFor(balanced))
        #expect(await first.waitFor(balanced))
        #expect(first.lines.currentAssignment.isDisjoint(with: second.lines.currentAssignment))
        #expect(first.lines.currentAssignment.union(second.lines.currentAssignment) == all)

        try await produce(300, prefix: "split", topic: "split", to: broker.bootstrapServers)
        #expect(await ChildProcess.waitUntil([first, second]) { $0.map(\.records.count).reduce(0, +) >= 300 })

        let values = first.lines.records.compactMap(\.value) + second.lines.records.compactMap(\.value)
        #expect(values.count == 300, "every record exactly once")
        #expect(Set(values) == Set((0..<300).map { "split-\($0)" }))
        #expect(!first.lines.records.isEmpty && !second.lines.records.isEmpty)
        // Each record came from a partition its process owned.
        let firstPartitions = Set(first.lines.records.compactMap { $0.partition.map { "split/\($0)" } })
        let secondPartitions = Set(second.lines.records.compactMap { $0.partition.map { "split/\($0)" } })
        #expect(firstPartitions.isDisjoint(with: secondPartitions))

        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.waitForExit() == 0)
        #expect(await second.waitForExit() == 0)
    }

    @Test("a consumer killed with SIGKILL resumes at the last stored offset and loses nothing")
    func killedConsumerResumes() async throws {
        let broker = try await DevBrokerProcess.start(topics: "resume:2")
        defer { Task { await broker.stop() } }
        try await produce(200, prefix: "resume", topic: "resume", to: broker.bootstrapServers)

        // Handles everything but stores offsets only for the first 120 records it handles.
        let crashing = try consumer(group: "resume-group", topic: "resume", broker: broker,
                                    extra: ["--stop-storing-after", "120"])
        let committedAll120: @Sendable ([String]) -> Bool = { lines in
            lines.records.count == 200
                && lines.consumed.contains { $0.committedOffsets.values.reduce(0, +) == 120 }
        }
        #expect(await crashing.waitFor(committedAll120))
        crashing.signal(SIGKILL)
        _ = await crashing.waitForExit()

        let handledBeforeCrash = crashing.lines.records
        let stored = Array(handledBeforeCrash.prefix(120))
        var committed: [Int: Int] = [:]  // partition -> next offset
        for line in crashing.lines.consumed {
            for (partition, offset) in line.committedOffsets {
                committed[Int(partition.split(separator: "/").last!)!] = offset
            }
        }

        let restarted = try consumer(group: "resume-group", topic: "resume", broker: broker)
        #expect(await restarted.waitFor { $0.records.count >= 80 })
        let redelivered = restarted.lines.records

        // It starts each partition exactly where the stored offsets left off (a partition whose
        // records were all stored has nothing to redeliver)…
        var partitionEnd: [Int: Int] = [:]
        for record in handledBeforeCrash {
            partitionEnd[record.partition!] = max(partitionEnd[record.partition!] ?? 0, record.offset! + 1)
        }
        #expect(committed.keys.sorted() == [0, 1])
        for (partition, next) in committed {
            let firstOffset = redelivered.first { $0.partition == partition }?.offset
            let expected: Int? = next == partitionEnd[partition] ? nil : next
            #expect(firstOffset == expected,
                    "partition \(partition) resumed at \(String(describing: firstOffset)), stored up to \(next)")
        }
        // …so the unstored 80 come again, and stored + redelivered is everything, once.
        let values = stored.compactMap(\.value) + redelivered.compactMap(\.value)
        #expect(values.count == 200)
        #expect(Set(values) == Set((0..<200).map { "resume-\($0)" }))

        restarted.signal(SIGTERM)
        #expect(await restarted.waitForExit() == 0)
    }
}
