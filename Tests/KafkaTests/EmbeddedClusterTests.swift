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
