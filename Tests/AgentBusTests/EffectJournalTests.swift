@testable import AgentBus
import Kafka
import Testing

/// The journal replica, the price table and the model call records, without a broker.
@Suite("Effect journal")
struct EffectJournalTests {
    func record(_ key: String, _ value: String, offset: Int64, partition: Int32 = 0) -> KafkaRecord {
        KafkaRecord(
            topic: "a.journal", partition: partition, offset: offset, key: Array(key.utf8), value: Array(value.utf8),
            headers: [KafkaHeader(name: "agentbus_effect", value: "e")])
    }

    @Test("entries read back are found; a record read again changes nothing; catch-up waits for the high watermarks")
    func replica() async {
        let journal = EffectJournal(topic: "a.journal")
        journal.apply(record("e1/lookup", "1", offset: 0))
        journal.apply(record("e1/lookup", "2", offset: 1))
        journal.apply(record("e1/lookup", "1", offset: 0))  // read again after a restart of the follower
        #expect(journal.entry(for: "e1/lookup")?.result == Array("2".utf8))
        #expect(!journal.isCaughtUp(for: 1))
        let waiting = Task { await journal.catchUp(to: [0: 2, 1: 1], generation: 1) }
        journal.apply(record("e2/lookup", "3", offset: 0, partition: 1))
        #expect(await waiting.value)
        #expect(journal.isCaughtUp(for: 1))
        #expect(!journal.isCaughtUp(for: 2))
    }

    @Test("a replica that has read nothing is not caught up for the first assignment (generation 0) either")
    func firstAssignmentWaits() async {
        let journal = EffectJournal(topic: "a.journal")
        #expect(!journal.isCaughtUp(for: 0), "a restarted instance would handle events before reading their effects")
        let waiting = Task { await journal.catchUp(to: [0: 1], generation: 0) }
        journal.apply(record("e1/chat-0", "answer", offset: 0))
        #expect(await waiting.value)
        #expect(journal.isCaughtUp(for: 0))
        #expect(!journal.isCaughtUp(for: 1))
    }

    @Test("past its memory limit the replica drops its oldest entries, and only those")
    func bounded() {
        let journal = EffectJournal(topic: "a.journal", memoryLimit: 5_000)
        for index in 0..<20 { journal.apply(record("event-\(index)/lookup", String(repeating: "x", count: 100), offset: Int64(index))) }
        #expect(journal.count < 20)
        #expect(journal.count >= 5)
        #expect(!journal.contains("event-0/lookup"))
        #expect(journal.contains("event-19/lookup"))
    }

    @Test("prices per million tokens; a dated model is priced by its family; an unpriced model costs nothing")
    func prices() throws {
        let prices = try ModelPrices(json: Array(#"{"gpt-4o-mini": {"input": 0.15, "output": 0.6}, "gpt-4o": {"input": 2.5, "output": 10}}"#.utf8))
        let usage = ModelUsage(inputTokens: 2_000_000, outputTokens: 1_000_000)
        #expect(prices.cost(of: usage, model: "gpt-4o-mini") == 0.9)
        #expect(prices.cost(of: usage, model: "gpt-4o-mini-2024-07-18") == 0.9)
        #expect(prices.cost(of: usage, model: "gpt-4o-2024-08-06") == 15)
        #expect(prices.cost(of: usage, model: "llama3") == nil)
        #expect(throws: ModelPricesError.self) { try ModelPrices(json: Array(#"{"m": {"input": -1, "output": 1}}"#.utf8)) }
        #expect(throws: ModelPricesError.self) { try ModelPrices(json: Array(#"{"m": 3}"#.utf8)) }
    }

    @Test("model calls round-trip through the activity record's JSON; records without them read as none")
    func activityRecordCalls() throws {
        let call = ModelCallRecord(
            effect: "chat-0", provider: "openai", requestModel: "m", responseModel: "m-1", inputTokens: 27,
            outputTokens: 46, latencyMilliseconds: 480, cost: 0.000125, journaled: true, replayed: false)
        var activity = ActivityRecord(
            agent: "a", instance: "i", eventId: "e", type: "t", source: "/s", correlationId: "c", causationId: nil,
            topic: "t", partition: 0, offset: 1, receivedAt: 1, startedAt: 2, finishedAt: 3, outcome: .ok, attempts: 1,
            published: [], failureClass: nil, error: nil, modelCalls: [call, call])
        activity.modelCalls[1].replayed = true
        let read = try ActivityRecord(json: activity.jsonBytes)
        #expect(read == activity)
        activity.modelCalls = []
        #expect(!String(decoding: activity.jsonBytes, as: UTF8.self).contains("modelCalls"))
        #expect(try ActivityRecord(json: activity.jsonBytes).modelCalls.isEmpty)
    }
}

/// What a replica's catch-up waits for, from the journal's watermarks.
@Suite("Journal catch-up targets")
struct CatchUpTargetTests {
    @Test("a partition whose records retention deleted (low == high) is not waited for; the others to their high watermark")
    func emptiedPartition() async {
        let watermarks: [KafkaTopicPartition: KafkaWatermarks] = [
            KafkaTopicPartition(topic: "a.journal", partition: 0): KafkaWatermarks(low: 0, high: 3),
            KafkaTopicPartition(topic: "a.journal", partition: 1): KafkaWatermarks(low: 7, high: 7),
            KafkaTopicPartition(topic: "a.journal", partition: 2): KafkaWatermarks(low: 0, high: 0),
        ]
        let targets = RuntimeFollower.catchUpTargets(watermarks)
        #expect(targets == [0: 3])
        // A fresh replica that read partition 0 is caught up: nothing of partition 1 can ever arrive.
        let journal = EffectJournal(topic: "a.journal")
        for offset in Int64(0)..<3 {
            journal.apply(KafkaRecord(
                topic: "a.journal", partition: 0, offset: offset, key: Array("e\(offset)/x".utf8), value: Array("1".utf8),
                headers: [KafkaHeader(name: "agentbus_effect", value: "x")]))
        }
        #expect(await journal.catchUp(to: targets, generation: 1))
    }
}
