import AgentBus
import AgentBusReplay
import Kafka
import Testing

/// Bounded snapshot reads (`TopicSnapshotBounds`) and `ReplayReader` against an in-process
/// embedded cluster.
@Suite("Bounded snapshots and the replay reader", .timeLimit(.minutes(2)))
struct ReplayReaderTests {
    func reader(_ cluster: EmbeddedCluster) -> TopicSnapshotReader {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: "replaced")
        configuration.tuneForEmbeddedCluster()
        return TopicSnapshotReader(consumerConfiguration: configuration)
    }

    func partition(_ topic: String, _ number: Int32) -> KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: number)
    }

    @Test("offset bounds: inclusive start, exclusive end, per-partition bounds win, all kept within the partition")
    func offsets() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("t", partitions: 3)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        for index in 0..<5 { try await producer.send(topic: "t", value: "a\(index)", partition: 0) }
        for index in 0..<3 { try await producer.send(topic: "t", value: "b\(index)", partition: 1) }
        try await producer.close()

        let bounds = TopicSnapshotBounds(
            start: .offset(1), end: .offset(4), partitionStarts: [partition("t", 1): .offset(10)])
        let snapshot = try await reader(cluster).read(["t"], bounds: bounds)
        #expect(snapshot["t"].map(\.value.string) == ["a1", "a2", "a3"])
        #expect(snapshot.startOffsets == [partition("t", 0): 1, partition("t", 1): 3, partition("t", 2): 0])
        #expect(snapshot.endOffsets == [partition("t", 0): 4, partition("t", 1): 3, partition("t", 2): 0])
        #expect(snapshot.oldestOffsets == [partition("t", 0): 0, partition("t", 1): 0, partition("t", 2): 0])

        let unbounded = try await reader(cluster).read(["t"])
        #expect(unbounded["t"].count == 8, "no bounds: everything, as before")
        #expect(unbounded.startOffsets[partition("t", 0)] == 0)
        #expect(unbounded.endOffsets[partition("t", 0)] == 5)
    }

    @Test("time bounds: from the first record at or after the start, to before the first at or after the end")
    func times() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("timed", partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        func gap() async throws -> Int64 {
            try await Task.sleep(for: .milliseconds(30))
            let time = EventTime.now().millisecondsSinceEpoch
            try await Task.sleep(for: .milliseconds(30))
            return time
        }
        for index in 0..<3 { try await producer.send(topic: "timed", value: "early\(index)", partition: 0) }
        let since = try await gap()
        for index in 0..<3 { try await producer.send(topic: "timed", value: "middle\(index)", partition: 0) }
        try await producer.send(topic: "timed", value: "other", partition: 1)
        let until = try await gap()
        for index in 0..<2 { try await producer.send(topic: "timed", value: "late\(index)", partition: 0) }
        try await producer.close()

        // The embedded cluster cannot look times up, so this also covers the reader's fallback
        // (the records' own timestamps); on real Kafka the brokers answer with the same offsets.
        let snapshot = try await reader(cluster).read(["timed"], bounds: TopicSnapshotBounds(start: .time(since), end: .time(until)))
        #expect(snapshot["timed"].map(\.value.string) == ["middle0", "middle1", "middle2", "other"])
        #expect(snapshot.startOffsets[partition("timed", 0)] == 3)
        #expect(snapshot.endOffsets[partition("timed", 0)] == 6)
        #expect(snapshot.startOffsets[partition("timed", 1)] == 0)
        #expect(snapshot.endOffsets[partition("timed", 1)] == 1)

        let future = EventTime.now().millisecondsSinceEpoch + 3_600_000
        let nothing = try await reader(cluster).read(["timed"], bounds: TopicSnapshotBounds(start: .time(future)))
        #expect(nothing["timed"].isEmpty)
        #expect(nothing.startOffsets[partition("timed", 0)] == 8, "nothing read: the start is the end")
        #expect(nothing.endOffsets[partition("timed", 0)] == 8)
    }

    @Test("a bound on a partition that is not read fails the read, naming it")
    func unknownPartition() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("t", partitions: 1)
        let error = await #expect(throws: KafkaError.self) {
            try await reader(cluster).read(["t"], bounds: TopicSnapshotBounds(partitionStarts: [partition("t", 4): .offset(0)]))
        }
        #expect(error?.code == .unknownTopicOrPartition)
        #expect(error?.message.contains("t/4") == true, "\(error?.message ?? "")")
    }

    @Test("replay reads every topic but Kafka's internal ones and the heartbeats, and records what it read")
    func replayTopics() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        let topics = ["loan.applications", "scorer.dlt", "scorer.retry", AgentTopics.activity, AgentTopics.registry,
                      AgentTopics.heartbeats, "__internal", "scorer.journal"]
        for topic in topics { try cluster.createTopic(topic, partitions: 1) }
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        try producer.prepare(topics: topics)  // or each first send waits for the topic scan
        for topic in topics { try await producer.send(topic: topic, value: topic) }
        try await producer.send(topic: "loan.applications", value: "second")
        try await producer.close()

        let replay = ReplayReader(snapshotReader: reader(cluster), embeddedCluster: true)
        let since = try ReplayBound(parsing: "@0")
        let (records, metadata) = try await replay.read(since: since)
        let replayed = ["agentbus.activity", "agentbus.registry", "loan.applications", "scorer.dlt", "scorer.retry"]
        #expect(records.map(\.topic) == ["agentbus.activity", "agentbus.registry", "loan.applications", "loan.applications",
                                         "scorer.dlt", "scorer.retry"])
        #expect(metadata.partitions.map(\.topic) == replayed)
        #expect(metadata.partitions.first { $0.topic == "loan.applications" }
            == ReplayPartitionRange(topic: "loan.applications", partition: 0, low: 0, high: 2, readFrom: 0))
        #expect(metadata.embeddedCluster)
        #expect(metadata.source == "\(cluster.bootstrapServers) (embedded cluster)")
        #expect(metadata.since == "@0")
        #expect(metadata.until == nil)
        #expect(abs(metadata.readAt - EventTime.now().millisecondsSinceEpoch) < 60_000)
        #expect(!ReplayReader.reads(topic: "__consumer_offsets"))
        #expect(!ReplayReader.reads(topic: "scorer.journal"), "effect journals only when asked for")
        #expect(ReplayReader.reads(topic: "scorer.journal", journals: .workflow("c1")))
        #expect(ReplayReader.reads(topic: "scorer.journal", journals: .workflow("c1", agent: "scorer")))
        #expect(!ReplayReader.reads(topic: "other.journal", journals: .workflow("c1", agent: "scorer")))
        #expect(ReplayReader.reads(topic: "other.journal", journals: .all))
        #expect(ReplayReader.reads(topic: "_schemas"), "only the double underscore marks Kafka's own topics")
    }
}
