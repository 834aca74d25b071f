import Kafka
import Testing

@Suite("A record copied into storage of its own")
struct RecordOwnStorageTests {
    @Test("frees the storage the record was in while the copy lives")
    func freesOriginal() {
        weak var original: AnyObject?
        var copy: KafkaRecord?
        do {
            let record = KafkaRecord(topic: "t", offset: 7, key: Array("k".utf8), value: Array("v".utf8))
            original = record.valueStorage
            copy = record.withOwnStorage()
        }
        let released = original == nil
        #expect(released, "the copy still pins the original's storage")
        #expect(copy?.value.string == "v" && copy?.key?.string == "k" && copy?.offset == 7)
    }

    @Test("a received record's copy keeps key, value, headers and position, and its offset can still be stored")
    func ownStorage() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("own-storage", partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let headers = [
            KafkaHeader(name: "dup", value: "first"), KafkaHeader(name: "dup", value: "second"),
            KafkaHeader(name: "empty", value: []), KafkaHeader(name: "null", value: nil),
        ]
        try await producer.send(topic: "own-storage", key: "key-1", value: "value-1", headers: headers)
        try await producer.send(topic: "own-storage", value: [UInt8]())  // no key, empty value, no headers
        try await producer.close()

        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: "own")
        configuration.tuneForEmbeddedCluster()
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe(topics: ["own-storage"])
        var copies: [KafkaRecord] = []
        for try await record in consumer.messages {
            let copy = record.withOwnStorage()
            let shared = ObjectIdentifier(copy.valueStorage) == ObjectIdentifier(record.valueStorage)
            #expect(!shared, "the copy shares the record's storage")
            copies.append(copy)
            if copies.count == 2 { break }
        }
        let first = copies[0]
        #expect(first.topic == "own-storage" && first.partition == 0 && first.offset == 0)
        #expect(first.key?.string == "key-1")
        #expect(first.value.string == "value-1")
        #expect(first.headers.map(\.name) == ["dup", "dup", "empty", "null"])
        #expect(first.headers.map { $0.value?.array } == [Array("first".utf8), Array("second".utf8), [], nil])
        #expect(first.headers["dup"]?.string == "second")
        let second = copies[1]
        #expect(second.offset == 1 && second.key == nil && second.value.isEmpty && second.headers.isEmpty)
        // Same topic slot and generation: the copy's offset is stored as the original's would be.
        try consumer.storeOffset(for: second)
        await consumer.close()
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        defer { admin.close() }
        let committed = try await admin.committedOffsets(
            group: "own", partitions: [KafkaTopicPartition(topic: "own-storage", partition: 0)])
        #expect(committed.first?.offset == 2)
    }
}
