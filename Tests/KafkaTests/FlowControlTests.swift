@testable import Kafka
import Synchronization
import Testing

/// A consumer whose reader falls behind stops fetching, but keeps serving its group: a slow
/// reader must never cost the consumer its partitions.
@Suite("Flow control", .timeLimit(.minutes(1)))
struct FlowControlTests {
    static let topic = "flow-control"
    static let recordsPerPartition = 100

    /// Small batches and buffer, so a hundred records fill the consumer many times over.
    static func configuration(_ cluster: EmbeddedCluster, group: String) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: group)
        configuration.tuneForEmbeddedCluster()
        configuration.maxBatchSize = 10
        configuration.maxBufferedBatches = 2
        return configuration
    }

    static func produce(_ cluster: EmbeddedCluster, count: Int, to partitions: [Int32], from first: Int = 0) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        for index in first..<(first + count) {
            for partition in partitions {
                try await producer.produce(topic: topic, value: "\(partition)-\(index)", partition: partition)
            }
        }
        try await producer.flush()
        try await producer.close()
    }

    /// The offsets of `records` from `partition`, in the order they were read.
    static func offsets(_ records: [KafkaRecord], partition: Int32) -> [Int64] {
        records.filter { $0.partition == partition }.map(\.offset)
    }

    @Test("a reader that stops for longer than max.poll.interval.ms keeps the partitions and loses nothing")
    func slowReaderStaysInGroup() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic(Self.topic, partitions: 2)
        try await Self.produce(cluster, count: Self.recordsPerPartition, to: [0, 1])

        var configuration = Self.configuration(cluster, group: "slow-reader")
        // The smallest value librdkafka accepts: at least session.timeout.ms (6 s here).
        configuration.properties["max.poll.interval.ms"] = "7000"
        let consumer = try KafkaConsumer(configuration: configuration)
        let events = Task {
            var seen: [KafkaConsumerEvent] = []
            for await event in consumer.events { seen.append(event) }
            return seen
        }
        try consumer.subscribe(topics: [Self.topic])

        var messages = consumer.messages.makeAsyncIterator()
        let first = try #require(try await messages.next())
        let assignment = consumer.assignment
        #expect(assignment.count == 2)

        // The reader is slow: it takes nothing for longer than max.poll.interval.ms, while the
        // records not yet read would fill the consumer's buffer many times over. This wait is the
        // scenario under test, not a synchronisation.
        try await Task.sleep(for: .seconds(10))

        var received = [first]
        while received.count < 2 * Self.recordsPerPartition, let record = try await messages.next() {
            received.append(record)
        }
        #expect(consumer.isCurrent(first), "the consumer went through a revocation while its reader was slow")
        #expect(consumer.assignment == assignment)
        for partition: Int32 in [0, 1] {
            #expect(Self.offsets(received, partition: partition) == Array(0..<Int64(Self.recordsPerPartition)))
        }
        await consumer.close()

        // Closing revokes once; a consumer put out of its group would have been revoked before.
        let seen = await events.value
        let revocations = seen.filter { if case .revoked = $0 { true } else { false } }
        let assignments = seen.filter { if case .assigned = $0 { true } else { false } }
        let errors = seen.filter { if case .error = $0 { true } else { false } }
        #expect(revocations.count == 1, "events: \(seen)")
        #expect(assignments.count == 1, "events: \(seen)")
        #expect(errors.isEmpty, "events: \(seen)")
    }

    @Test("a partition the user paused stays paused while flow control pauses and resumes the others")
    func userPauseOutlastsFlowControl() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic(Self.topic, partitions: 2)
        try await Self.produce(cluster, count: Self.recordsPerPartition, to: [1])

        let consumer = try KafkaConsumer(configuration: Self.configuration(cluster, group: "user-pause"))
        var flowControl = consumer.core.flowControlChanges.makeAsyncIterator()
        var events = consumer.events.makeAsyncIterator()
        try consumer.subscribe(topics: [Self.topic])
        while let event = await events.next() {
            if case .assigned = event { break }
        }
        let held = KafkaTopicPartition(topic: Self.topic, partition: 0)
        try consumer.pause([held])
        // Produced after the pause, so none of these can have been fetched before it.
        try await Self.produce(cluster, count: 20, to: [0])

        // The reader takes one record and stops: flow control pauses the consumer.
        var messages = consumer.messages.makeAsyncIterator()
        var received = [try #require(try await messages.next())]
        #expect(await flowControl.next() == true)

        // The reader catches up: flow control resumes (it must, for the rest to arrive).
        while Self.offsets(received, partition: 1).count < Self.recordsPerPartition {
            received.append(try #require(try await messages.next()))
        }
        var resumed = false
        while let paused = await flowControl.next() {
            if !paused {
                resumed = true
                break
            }
        }
        #expect(resumed)

        // Partition 1 flows, twice over: had flow control resumed partition 0 with it, the
        // records fetched for partition 0 would be queued ahead of the second of these.
        for sentinel in Self.recordsPerPartition..<(Self.recordsPerPartition + 2) {
            try await Self.produce(cluster, count: 1, to: [1], from: sentinel)
            while !received.contains(where: { $0.partition == 1 && $0.offset == Int64(sentinel) }) {
                received.append(try #require(try await messages.next()))
            }
        }
        #expect(Self.offsets(received, partition: 0).isEmpty, "flow control resumed a partition the user paused")

        // The user resumes it: everything it holds arrives, in order.
        try consumer.resume([held])
        while Self.offsets(received, partition: 0).count < 20 {
            received.append(try #require(try await messages.next()))
        }
        #expect(Self.offsets(received, partition: 0) == Array(0..<20))
        #expect(Self.offsets(received, partition: 1) == Array(0..<Int64(Self.recordsPerPartition + 2)))
        await consumer.close()
    }

    @Test("a consumer resumed by flow control fetches at once, and gets every record once, in order")
    func resumeFetchesAtOnce() async throws {
        // The partition's leader does nothing but serve its fetches: the group's coordinator is
        // another broker, whose heartbeats would otherwise wake the fetching thread by chance.
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { cluster.stop() }
        try cluster.createTopic(Self.topic, partitions: 1)
        try cluster.setPartitionLeader(topic: Self.topic, partition: 0, broker: 3)
        try cluster.setGroupCoordinator(group: "prompt-resume", broker: 1)
        let count = 1000
        try await Self.produce(cluster, count: count, to: [0])

        let consumer = try KafkaConsumer(configuration: Self.configuration(cluster, group: "prompt-resume"))
        let watch = FlowControlWatch()
        let following = watch.follow(consumer.core.flowControlChanges)
        var pauses = watch.pauses.makeAsyncIterator()
        try consumer.subscribe(topics: [Self.topic])
        var messages = consumer.messages.makeAsyncIterator()
        var received = [try #require(try await messages.next())]

        // Each cycle: the consumer is paused (its buffer of 2 × 10 records is full) and stays so
        // a while, so librdkafka's fetcher goes idle; the reader then takes records until flow
        // control resumes, and stops, so that the next pause comes only once records fetched
        // after the resume have filled the buffer again. librdkafka 2.0.2 on its own fetches a
        // resumed partition at its broker thread's next timed wake-up, up to a second later.
        let clock = ContinuousClock()
        var refills: [Duration] = []
        _ = await pauses.next()
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(200))  // the idle pause under test
            let started = clock.now
            let resumesBefore = watch.resumes
            while watch.resumes == resumesBefore {
                received.append(try #require(try await messages.next()))
            }
            _ = await pauses.next()
            refills.append(clock.now - started)
        }
        while received.count < count, let record = try await messages.next() {
            received.append(record)
        }
        await consumer.close()
        following.cancel()

        #expect(Self.offsets(received, partition: 0) == Array(0..<Int64(count)))
        // Waiting for the timer costs 0.8 s a cycle here (1 s less the idle 0.2 s); fetching at
        // once, about a millisecond. The median leaves room for a loaded machine's hiccups.
        let median = refills.sorted()[refills.count / 2]
        #expect(median < .milliseconds(150), "resume to refill: \(refills)")
    }

    @Test("a partition read to its end keeps its position while flow control pauses and resumes the others")
    func finishedPartitionKeepsPosition() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic(Self.topic, partitions: 2)
        try await Self.produce(cluster, count: 5, to: [0])
        try await Self.produce(cluster, count: 600, to: [1])

        let consumer = try KafkaConsumer(configuration: Self.configuration(cluster, group: "finished-position"))
        let watch = FlowControlWatch()
        let following = watch.follow(consumer.core.flowControlChanges)
        try consumer.subscribe(topics: [Self.topic])
        var messages = consumer.messages.makeAsyncIterator()
        var received: [KafkaRecord] = []
        var resumesAfterFinishing = 0
        var resumesWhenFinished: Int?
        while received.count < 605, let record = try await messages.next() {
            received.append(record)
            if resumesWhenFinished == nil, Self.offsets(received, partition: 0).count == 5 {
                resumesWhenFinished = watch.resumes
            }
        }
        resumesAfterFinishing = watch.resumes - (resumesWhenFinished ?? watch.resumes)
        let finished = KafkaTopicPartition(topic: Self.topic, partition: 0)
        let positions = consumer.positions(of: [finished])
        await consumer.close()
        following.cancel()

        #expect(Self.offsets(received, partition: 0) == Array(0..<5))
        #expect(Self.offsets(received, partition: 1) == Array(0..<600))
        #expect(resumesAfterFinishing >= 1, "flow control never resumed after partition 0 was read")
        // A reader to a known end (TopicSnapshotReader) needs this when the end is a transaction
        // marker, which is never delivered.
        #expect(positions == [finished: 5])
    }
}

/// Follows a consumer's flow-control changes: how many resumes so far, read without waiting, and
/// the pauses, to wait for.
private final class FlowControlWatch: Sendable {
    private let resumeCount = Mutex(0)
    let pauses: AsyncStream<Void>
    private let pauseSink: AsyncStream<Void>.Continuation

    init() { (pauses, pauseSink) = AsyncStream.makeStream() }

    var resumes: Int { resumeCount.withLock { $0 } }

    /// Follows `changes` until the task is cancelled.
    func follow(_ changes: AsyncStream<Bool>) -> Task<Void, Never> {
        Task {
            for await paused in changes {
                if paused { pauseSink.yield() } else { resumeCount.withLock { $0 += 1 } }
            }
        }
    }
}
