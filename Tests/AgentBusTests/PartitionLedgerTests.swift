@testable import AgentBus
import Kafka
import Synchronization
import Testing

/// The ledger's offset rules and its part in a revocation, with a recording offset store.
@Suite("PartitionLedger")
struct PartitionLedgerTests {
    final class RecordingStore: OffsetStore {
        let stored = Mutex<[Int64]>([])
        func storeOffset(for record: KafkaRecord) throws(KafkaError) { stored.withLock { $0.append(record.offset) } }
    }

    static func record(_ offset: Int64) -> KafkaRecord {
        KafkaRecord(topic: "t", offset: offset, value: [])
    }

    static func ledger(_ store: RecordingStore) -> PartitionLedger {
        PartitionLedger(partition: KafkaTopicPartition(topic: "t", partition: 0), offsets: store) { _, _ in }
    }

    @Test("stores only up to the first record that is not done, also when records finish out of order")
    func donePrefix() throws {
        let store = RecordingStore()
        let ledger = Self.ledger(store)
        let events = try (0..<4).map { try #require(ledger.track(Self.record($0), started: true)) }
        events[2].release()
        events[1].release()
        #expect(store.stored.withLock { $0 }.isEmpty)
        events[0].release()
        #expect(store.stored.withLock { $0 } == [2])
        #expect(ledger.count == 1)
    }

    @Test("an event is done only when every message produced for it is acknowledged")
    func settlement() throws {
        let store = RecordingStore()
        let ledger = Self.ledger(store)
        let event = try #require(ledger.track(Self.record(0), started: true))
        event.expect(2)
        event.release()
        event.delivered(partition: 0, offset: 10)
        #expect(!event.isDone)
        event.delivered(partition: 0, offset: 11)
        #expect(event.isDone)
        #expect(store.stored.withLock { $0 } == [0])
    }

    @Test("a revocation starts nothing new, waits only for started work, and a retired ledger stores nothing")
    func revocation() throws {
        let store = RecordingStore()
        let ledger = Self.ledger(store)
        let running = try #require(ledger.track(Self.record(0), started: true))
        let queued = try #require(ledger.track(Self.record(1), started: false))
        let abandoned = try #require(ledger.track(Self.record(2), started: true))
        ledger.beginRevoke()
        #expect(ledger.isRevoked)
        #expect(ledger.track(Self.record(3), started: true) == nil)
        #expect(!ledger.start(queued))
        #expect(!ledger.isSettled)  // `running` is still running
        abandoned.abandon()
        #expect(!ledger.isSettled)
        running.release()
        #expect(ledger.isSettled)
        // Finished during the revocation: stored. The unstarted one holds back what follows it.
        #expect(store.stored.withLock { $0 } == [0])

        ledger.retire()
        queued.release()
        #expect(store.stored.withLock { $0 } == [0])
        #expect(ledger.isRetired)
    }
}
