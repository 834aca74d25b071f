import AgentBus
import Kafka
import Logging
import Testing

/// The journal writer against the embedded cluster: `context.effect` returns only after its
/// result is on the broker, and a result the broker refused is reported, not taken for written.
@Suite("Effect journal writer", .timeLimit(.minutes(1)))
struct EffectJournalWriterTests {
    @Test("a write returns once the broker holds the record, and reports a record the broker refused")
    func acknowledged() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("a.journal", partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let writer = EffectJournalWriter(
            producer: producer, agent: "a", instance: "i",
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
        let partition = KafkaTopicPartition(topic: "a.journal", partition: 0)
        func write(_ key: String) async -> Bool {
            await writer.write(
                EffectJournalEntry(result: Array("1".utf8)), key: key, effect: "charge", correlationID: "c",
                redacted: false, to: "a.journal")
        }

        // Acknowledgements come late: a write that did not wait for one returns before the record is there.
        try cluster.setRoundTripTime(broker: 1, .milliseconds(300))
        #expect(await write("e1/charge"))
        #expect(try await admin.watermarks(of: [partition])[partition]?.high == 1)

        try cluster.setRoundTripTime(broker: 1, .zero)
        cluster.injectRequestErrors(api: .produce, errors: [.topicAuthorizationFailed])
        #expect(await write("e2/charge") == false, "a record the broker refused is not journaled")
        admin.close()
        try? await producer.close(timeout: .seconds(2))
    }
}
