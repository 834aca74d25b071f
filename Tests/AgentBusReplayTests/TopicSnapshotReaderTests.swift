import AgentBus
import AgentBusReplay
import Kafka
import Testing

/// `TopicSnapshotReader` against an in-process embedded cluster.
@Suite("Topic snapshots", .timeLimit(.minutes(2)))
struct TopicSnapshotReaderTests {
    func reader(_ cluster: EmbeddedCluster, timeout: Duration = .seconds(30)) -> TopicSnapshotReader {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: "replaced")
        configuration.tuneForEmbeddedCluster()
        return TopicSnapshotReader(consumerConfiguration: configuration, timeout: timeout)
    }

    @Test("reads every record up to the end, in partition and offset order; empty and missing topics read as empty")
    func snapshot() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("busy", partitions: 3)
        try cluster.createTopic("quiet", partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        for index in 0..<10 {
            try await producer.send(topic: "busy", key: "k\(index)", value: "v\(index)", partition: Int32(index % 3))
        }
        try await producer.close()

        let clock = ContinuousClock()
        let start = clock.now
        let snapshot = try await reader(cluster).read(["busy", "quiet", "absent"])
        #expect(clock.now - start < .seconds(5), "no waiting at the end of a partition")
        #expect(snapshot["busy"].map { "\($0.partition)/\($0.offset)=\($0.value.string)" } == [
            "0/0=v0", "0/1=v3", "0/2=v6", "0/3=v9", "1/0=v1", "1/1=v4", "1/2=v7", "2/0=v2", "2/1=v5", "2/2=v8",
        ])
        #expect(snapshot.records["quiet"]?.isEmpty == true)
        #expect(snapshot.exists("quiet"))
        #expect(snapshot.missingTopics == ["absent"])
        #expect(snapshot["absent"].isEmpty)
        #expect(snapshot.endOffsets[KafkaTopicPartition(topic: "busy", partition: 0)] == 4)

        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        defer { admin.close() }
        #expect(try await admin.topics().contains { $0.name == "absent" } == false, "reading does not create a topic")
    }

    @Test("a read that cannot reach the end fails with timedOut, naming the partitions left")
    func timeout() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("stuck", partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        try await producer.send(topic: "stuck", value: "unreachable")
        try await producer.close()
        // Every fetch fails for far longer than the read may take (each retry waits 500 ms).
        cluster.injectRequestErrors(api: .fetch, errors: Array(repeating: .topicAuthorizationFailed, count: 100))

        let error = await #expect(throws: KafkaError.self) {
            try await reader(cluster, timeout: .seconds(1)).read(["stuck"])
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("stuck/0") == true, "\(error?.message ?? "")")
    }
}
