import Kafka
import Testing

@Suite("Broker failures", .timeLimit(.minutes(2)))
struct BrokerFailureTests {
    func consumerConfiguration(_ cluster: EmbeddedCluster, group: String) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: group)
        configuration.tuneForEmbeddedCluster()
        return configuration
    }

    @Test("messages produced while the broker is down are all delivered, in order, once it is back")
    func brokerDownAndUp() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("outage", partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        try await producer.send(topic: "outage", value: "before")  // connected and initialised

        try cluster.setBrokerDown(1)
        for index in 0..<50 { try await producer.produce(topic: "outage", value: "during-\(index)") }
        // Nothing can be acknowledged while the only broker is down.
        #expect(producer.deliveredCount == 1)
        try cluster.setBrokerUp(1)
        try await producer.flush(timeout: .seconds(60))
        #expect(producer.deliveredCount == 51)
        #expect(producer.failedCount == 0)
        try await producer.close()

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: "outage"))
        try consumer.subscribe(topics: ["outage"])
        var values: [String] = []
        for try await record in consumer.messages {
            values.append(record.value.string)
            if values.count == 51 { break }
        }
        await consumer.close()
        #expect(values == ["before"] + (0..<50).map { "during-\($0)" })
    }

    @Test("a send to a broker that stays down fails with a typed timeout, not a hang")
    func brokerStaysDown() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("down", partitions: 1)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: [cluster.bootstrapServers], deliveryTimeout: .seconds(2)))
        try await producer.send(topic: "down", value: "warm-up")
        try cluster.setBrokerDown(1)

        let started = ContinuousClock.now
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: "down", value: "lost")
        }
        #expect(error?.code == .timedOut)
        #expect(error?.isRetriable == true)
        #expect(error?.message.contains("delivery to down failed") == true)
        #expect(ContinuousClock.now - started < .seconds(20))

        // Fire-and-forget failures surface at the next flush, with a count.
        try await producer.produce(topic: "down", value: "also lost")
        let flushError = await #expect(throws: KafkaError.self) { try await producer.flush(timeout: .seconds(10)) }
        #expect(flushError?.code == .timedOut)
        #expect(flushError?.message.hasPrefix("1 message(s) not delivered") == true)
        try? await producer.close(timeout: .seconds(1))
    }

    @Test("closing a consumer whose broker vanished returns within its deadline")
    func closeHasADeadline() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("vanish", partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        try await producer.send(topic: "vanish", value: "one")
        try await producer.close()

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(cluster, group: "vanish"))
        try consumer.subscribe(topics: ["vanish"])
        for try await record in consumer.messages {
            try consumer.storeOffset(for: record)
            break
        }
        #expect(!consumer.assignment.isEmpty)
        try cluster.setBrokerDown(1)

        let started = ContinuousClock.now
        await consumer.close(timeout: .seconds(2))
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(throws: KafkaError.self) { try consumer.subscribe(topics: ["vanish"]) }
    }
}
