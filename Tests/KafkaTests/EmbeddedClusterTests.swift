import Kafka
import Testing

@Suite("Embedded cluster", .timeLimit(.minutes(2)))
struct EmbeddedClusterTests {
    @Test("brokers, bootstrap list and topics as created")
    func topology() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        #expect(cluster.brokerIDs == [1, 2, 3])
        #expect(cluster.bootstrapServers.split(separator: ",").count == 3)
        #expect(cluster.bootstrapServers.hasPrefix("127.0.0.1:"))
        try cluster.createTopic("orders", partitions: 6, replicationFactor: 3)
        #expect(throws: KafkaError.self) { try cluster.createTopic("bad", partitions: 1, replicationFactor: 4) }

        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let topics = try await admin.topics()
        #expect(topics.first { $0.name == "orders" }?.partitionCount == 6)
    }

    @Test("injected request errors reach the client as typed errors")
    func injectedErrors() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("guarded", partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers], idempotence: false))
        try await producer.send(topic: "guarded", value: "allowed")
        cluster.injectRequestErrors(api: .produce, errors: [.topicAuthorizationFailed])
        let error = await #expect(throws: KafkaError.self) { try await producer.send(topic: "guarded", value: "denied") }
        #expect(error?.librdkafkaName == "TOPIC_AUTHORIZATION_FAILED")
        #expect(error?.isRetriable == false)
        try? await producer.close(timeout: .seconds(2))
    }

    @Test("retriable injected errors are retried and the message still lands once")
    func retriedErrors() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("flaky", partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        try await producer.send(topic: "flaky", value: "first")
        cluster.injectRequestErrors(api: .produce, errors: [.notEnoughReplicas, .notEnoughReplicas])
        let report = try await producer.send(topic: "flaky", value: "second")
        #expect(report.offset == 1)
        try await producer.close()
    }

    /// librdkafka 2.0.2's mock cluster checks no sequence numbers for a producer without a
    /// transactional ID, while the client relies on them: when a produce request fails and one
    /// sent behind it (pipelined) succeeds, the client takes the failed one's messages as
    /// delivered too (`rd_kafka_dr_implicit_ack`), because a real broker would have refused the
    /// later one as out of order. On the mock nothing refuses it, and the messages are reported
    /// delivered without being in the log: an agent's output and activity record were lost that
    /// way in a fault-injection run. Tuned for the embedded cluster, a producer keeps one request
    /// in flight per broker, so a failed request is retried before anything behind it is sent.
    @Test(
        "a failed produce request is retried, never taken as delivered because a later one succeeded",
        arguments: [KafkaInjectedError.notLeaderForPartition, .requestTimedOut])
    func failedRequestBehindPipelinedOne(error: KafkaInjectedError) async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("pipelined", partitions: 1)
        // One message per request, sent as soon as it is produced.
        var configuration = KafkaProducerConfiguration(
            bootstrapServers: [cluster.bootstrapServers], linger: .zero, properties: ["batch.num.messages": "1"])
        configuration.tuneForEmbeddedCluster()
        let producer = try KafkaProducer(configuration: configuration)
        try await producer.send(topic: "pipelined", value: "warm-up")  // connected, producer ID known
        // Requests wait 300 ms for their answers: the three below are sent before the first is answered.
        try cluster.setRoundTripTime(broker: 1, .milliseconds(300))
        cluster.injectRequestErrors(api: .produce, errors: [error])
        for index in 0..<3 { try await producer.produce(topic: "pipelined", value: "message-\(index)") }
        try await producer.flush(timeout: .seconds(30))
        #expect(producer.deliveredCount == 4)
        #expect(producer.failedCount == 0)
        try cluster.setRoundTripTime(broker: 1, .zero)
        try await producer.send(topic: "pipelined", value: "end")
        try await producer.close()

        // Every message reported delivered is in the log.
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: [cluster.bootstrapServers], groupID: "pipelined-reader"))
        try consumer.assign([KafkaTopicPartition(topic: "pipelined", partition: 0): .beginning])
        var values: [String] = []
        for try await record in consumer.messages {
            if record.value.string == "end" { break }
            values.append(record.value.string)
        }
        await consumer.close()
        #expect(values == ["warm-up", "message-0", "message-1", "message-2"])
    }

    @Test("a broker's round-trip time delays its acknowledgements")
    func roundTripTime() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("slow", partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers], linger: .zero))
        try await producer.send(topic: "slow", value: "warm-up")
        try cluster.setRoundTripTime(broker: 1, .milliseconds(400))
        let started = ContinuousClock.now
        try await producer.send(topic: "slow", value: "delayed")
        #expect(ContinuousClock.now - started >= .milliseconds(350))
        try await producer.close()
    }

    @Test("the Admin API is not available on the embedded cluster, and says so")
    func noAdminAPI() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let error = await #expect(throws: KafkaError.self) {
            _ = try await admin.createTopics([KafkaTopicSpecification(name: "x", partitions: 3)], timeout: .seconds(5))
        }
        #expect(error != nil)
    }

    @Test("records built in Swift read like received ones")
    func swiftBuiltRecord() {
        let record = KafkaRecord(topic: "t", key: Array("k".utf8), value: Array("v".utf8),
                                 headers: [.init(name: "a", value: "1"), .init(name: "a", value: "2")])
        #expect(record.key?.string == "k")
        #expect(record.headers["a"]?.string == "2")
        #expect(record.headers.lastIndex(named: "b") == nil)
    }
}
