import Kafka
import Testing

/// A watermark lookup is bounded by its timeout, also when the brokers are slow to answer or
/// gone: the runtime waits on these lookups before every state or journal catch-up and when it
/// starts following its runtime topics, so one that overstays stops the agent's handling.
@Suite("Watermark lookups", .serialized, .timeLimit(.minutes(1)))
struct WatermarksTimeoutTests {
    @Test("a lookup answers with both watermarks of every partition asked for")
    func answers() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("marks", partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        for index in 0..<3 { try await producer.send(topic: "marks", value: "record-\(index)", partition: 0) }
        try await producer.close()
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        defer { admin.close() }
        let first = KafkaTopicPartition(topic: "marks", partition: 0)
        let second = KafkaTopicPartition(topic: "marks", partition: 1)
        let marks = try await admin.watermarks(of: [first, second])
        #expect(marks == [first: KafkaWatermarks(low: 0, high: 3), second: KafkaWatermarks(low: 0, high: 0)])
    }

    @Test("a lookup is one moment: partitions written in lockstep never differ by more than a record")
    func oneMoment() async throws {
        // A saved log (`agentbus replay --save`) ends each partition at these high watermarks.
        // Looked up one partition after another while agents kept writing, the first partitions
        // ended seconds before the last: in a chaos run's log every agent's activity records
        // stopped 5 s before its outputs did, which read as a stalled producer.
        let cluster = try EmbeddedCluster(brokers: 1)
        let partitions: Int32 = 40
        try cluster.createTopic("lockstep", partitions: Int(partitions))
        // librdkafka sends a request per partition: with the default five in flight (no errors
        // are injected here, so the embedded cluster's one is not needed) a round takes a few
        // round trips, where a lookup asked partition by partition would take two per partition.
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        defer { admin.close() }
        let all = (0..<partitions).map { KafkaTopicPartition(topic: "lockstep", partition: $0) }

        // One record to every partition, all acknowledged: at any moment between rounds or
        // during one, the partitions' ends differ by at most one record.
        @Sendable func round() async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for partition in 0..<partitions {
                    group.addTask { try await producer.send(topic: "lockstep", value: "r", partition: partition) }
                }
                try await group.waitForAll()
            }
        }
        try await round()  // connected, leaders known
        // Each answer 10 ms late, so the writer's rounds go on while a lookup waits for its answers.
        try cluster.setRoundTripTime(broker: 1, .milliseconds(10))
        let writer = Task {
            var rounds = 0
            while !Task.isCancelled {
                try await round()
                rounds += 1
            }
            return rounds
        }
        let marks = try await admin.watermarks(of: all)
        writer.cancel()
        let rounds = try await writer.value
        try await producer.close()
        try cluster.setRoundTripTime(broker: 1, .zero)

        let highs = all.compactMap { marks[$0]?.high }
        #expect(highs.count == all.count)
        let spread = (highs.max() ?? 0) - (highs.min() ?? 0)
        #expect(spread <= 1, "ends \(highs.min() ?? 0)...\(highs.max() ?? 0) while \(rounds) rounds were written")
    }

    @Test("a lookup gives up at its timeout when the broker answers later than that")
    func slowBroker() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("slow", partitions: 1)
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        defer { admin.close() }
        let partition = KafkaTopicPartition(topic: "slow", partition: 0)
        _ = try await admin.watermarks(of: [partition])  // connected, leader known
        try cluster.setRoundTripTime(broker: 1, .seconds(8))

        let started = ContinuousClock.now
        let error = await #expect(throws: KafkaError.self) {
            try await admin.watermarks(of: [partition], timeout: .milliseconds(500))
        }
        #expect(error?.code == .timedOut)
        // librdkafka 2.0.2's own watermark query waits for the answer, 8 s here, whatever the
        // timeout (and up to socket.timeout.ms, 60 s, for a request that is never answered).
        #expect(ContinuousClock.now - started < .seconds(4))
        try cluster.setRoundTripTime(broker: 1, .zero)
    }

    @Test("a lookup gives up at its timeout while the partition's leader is down")
    func leaderDown() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("gone", partitions: 1)
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        defer { admin.close() }
        let partition = KafkaTopicPartition(topic: "gone", partition: 0)
        _ = try await admin.watermarks(of: [partition])  // connected, leader known
        try cluster.setBrokerDown(1)

        let started = ContinuousClock.now
        await #expect(throws: KafkaError.self) {
            try await admin.watermarks(of: [partition], timeout: .seconds(1))
        }
        // librdkafka 2.0.2's own watermark query was still waiting 75 s later.
        #expect(ContinuousClock.now - started < .seconds(5))
        try cluster.setBrokerUp(1)
        let marks = try await admin.watermarks(of: [partition])
        #expect(marks[partition] == KafkaWatermarks(low: 0, high: 0))
    }
}
