import Kafka
import Testing

@Suite("First send to a topic")
struct FirstSendTests {
    /// librdkafka 2.0.2 learns the leaders of a topic first named in a produce call only at its
    /// next topic scan (every second), unless the client asked for them: a publisher that is
    /// already connected made its first event to each topic wait up to a second.
    @Test("a connected producer's first send to a topic it has not used is acknowledged without waiting for the topic scan")
    func firstSendToNewTopic() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("warm-up", partitions: 1)
        try cluster.createTopic("first-send", partitions: 3)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        // Connected, with its producer ID: what is left to measure is the new topic's metadata.
        try producer.prepare(topics: ["warm-up"])
        try await producer.send(topic: "warm-up", value: "connect")

        let start = ContinuousClock.now
        let report = try await producer.send(topic: "first-send", key: "k", value: "first")
        let elapsed = ContinuousClock.now - start
        #expect(report.topic == "first-send")
        // Measured on 2 cores: ~0.9 s when the send waits for the scan, ~10 ms when it does not.
        #expect(elapsed < .milliseconds(500), "the first send to first-send took \(elapsed)")
        try await producer.close()
    }
}
