import Kafka
import Logging
import Testing

/// `KafkaAdmin.offsets(forTimes:)` (librdkafka's `rd_kafka_offsets_for_times`) against the
/// embedded cluster, which answers the request but, in librdkafka 2.0.2, cannot look anything up
/// by time: what replay's readers rely on to tell it apart from real Kafka.
@Suite("Offsets for times", .timeLimit(.minutes(2)))
struct OffsetsForTimesTests {
    @Test("every partition asked gets an answer; the embedded cluster has no record at or after any time")
    func lookup() async throws {
        let cluster = try EmbeddedCluster(brokers: 2)
        try cluster.createTopic("timed", partitions: 3)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        for index in 0..<6 { try await producer.send(topic: "timed", value: "v\(index)", partition: Int32(index % 2)) }
        try await producer.close()

        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        defer { admin.close() }
        let partitions = (0..<3).map { KafkaTopicPartition(topic: "timed", partition: Int32($0)) }
        let answers = try await admin.offsets(forTimes: Dictionary(uniqueKeysWithValues: partitions.map { ($0, 0) }))
        #expect(Set(answers.keys) == Set(partitions))
        // Real Kafka answers time 0 with each non-empty partition's first offset; the mock leaves
        // the lookup unimplemented ("FIXME: by timestamp") and answers "none" (-1).
        #expect(answers.values.allSatisfy { $0 == nil }, "\(answers)")

        let future = try await admin.offsets(forTimes: [partitions[0]: Int64.max / 2])
        #expect(future[partitions[0]] == .some(nil), "nothing is newer than the far future")
    }

    @Test("asking for nothing asks no broker")
    func empty() async throws {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: ["127.0.0.1:1"]), logger: quiet)
        defer { admin.close() }
        #expect(try await admin.offsets(forTimes: [:]).isEmpty)
    }

    @Test("a lookup that cannot finish fails with a typed error")
    func failure() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("guarded", partitions: 1)
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        defer { admin.close() }
        cluster.injectRequestErrors(api: .listOffsets, errors: Array(repeating: .topicAuthorizationFailed, count: 20))
        let error = await #expect(throws: KafkaError.self) {
            try await admin.offsets(forTimes: [KafkaTopicPartition(topic: "guarded", partition: 0): 0], timeout: .seconds(2))
        }
        #expect(error?.message.hasPrefix("cannot look up the offset") == true, "\(error?.message ?? "")")
        #expect(error?.librdkafkaName == "TOPIC_AUTHORIZATION_FAILED")
    }
}
