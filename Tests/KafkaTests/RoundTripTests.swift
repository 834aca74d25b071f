import Kafka
import Testing

@Suite("Round trip through the embedded cluster")
struct RoundTripTests {
    @Test("key, value and headers survive, including duplicate header names and empty values")
    func roundTrip() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("round-trip", partitions: 1)

        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let headers = [
            KafkaHeader(name: "ce_type", value: "dev.agentbus.test.v1"),
            KafkaHeader(name: "dup", value: "first"),
            KafkaHeader(name: "dup", value: "second"),
            KafkaHeader(name: "empty", value: []),
            KafkaHeader(name: "null", value: nil),
        ]
        let report = try await producer.send(topic: "round-trip", key: "key-1", value: "value-1", headers: headers)
        #expect(report.topic == "round-trip")
        #expect(report.partition == 0)
        #expect(report.offset == 0)
        try await producer.send(topic: "round-trip", value: [UInt8]())  // no key, empty value
        try await producer.close()

        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: "rt")
        configuration.tuneForEmbeddedCluster()
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe(topics: ["round-trip"])
        var received: [KafkaRecord] = []
        for try await record in consumer.messages {
            received.append(record)
            try consumer.storeOffset(for: record)
            if received.count == 2 { break }
        }
        await consumer.close()

        let first = received[0]
        #expect(first.topic == "round-trip")
        #expect(first.offset == 0)
        #expect(first.key?.string == "key-1")
        #expect(first.value.string == "value-1")
        #expect(first.headers.map(\.name) == ["ce_type", "dup", "dup", "empty", "null"])
        #expect(first.headers["dup"]?.string == "second")
        #expect(first.headers.values(named: "dup").map { $0?.string } == ["first", "second"])
        #expect(first.headers["empty"].map { Array($0) } == [])
        #expect(first.headers[4].value == nil)
        #expect(first.timestamp != nil)

        let second = received[1]
        #expect(second.key == nil)
        #expect(second.value.isEmpty)
        #expect(second.headers.isEmpty)
    }
}
