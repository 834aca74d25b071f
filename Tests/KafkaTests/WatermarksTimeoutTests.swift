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
