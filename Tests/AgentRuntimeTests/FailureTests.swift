import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// What the runtime does with records it cannot handle: each lands in `<agent>.dlt` with its
    /// failure class and Spring-compatible provenance, and the partition moves on.
    @Suite("Failures and dead letters")
    struct FailureTests {
        static let agent = "test-worker"
        static let deadLetterTopic = "test-worker.dlt"
        static let retryTopic = "test-worker.retry.200ms"

        /// One bad input, as sent, and what its dead letter must say.
        struct BadInput {
            let name: String
            let key: String
            let value: [UInt8]
            let headers: [KafkaHeader]
            let failureClass: FailureClass
            let attempts: Int
            /// A part of the reason (`kafka_dlt-exception-message`).
            let reason: String
        }

        static func workHeaders(_ envelope: EventEnvelope, dropping dropped: Set<String> = []) -> [KafkaHeader] {
            envelope.kafkaHeaders.filter { !dropped.contains($0.name) }
        }

        func badInputs(_ publisher: TestPublisher) -> [BadInput] {
            func work(_ id: String, _ behavior: String) -> EventEnvelope {
                publisher.root(TestTypes.work, WorkPayload(id: id, seq: 0, behavior: behavior).json, key: "key-\(id)")
            }
            let notJSON = work("not-json", "ok")
            let noID = work("no-id", "ok")
            let invalid = work("invalid", "explode")
            let transient = work("transient", "fail-always")
            let permanent = work("permanent", "permanent")
            return [
                BadInput(
                    name: "bytes with no ce_ headers", key: "key-raw", value: [0xFF, 0xFE, 0x00, 0x01] + Array("garbage".utf8),
                    headers: [KafkaHeader(name: "x-foreign", value: "1")], failureClass: .poison, attempts: 0,
                    reason: "not a CloudEvent"),
                BadInput(
                    name: "a value that is not JSON", key: notJSON.key!, value: Array(#"{"id": "not-json", oops"#.utf8),
                    headers: notJSON.kafkaHeaders, failureClass: .poison, attempts: 0, reason: "JSON"),
                BadInput(
                    name: "ce_specversion without ce_id", key: noID.key!, value: noID.data,
                    headers: Self.workHeaders(noID, dropping: [EnvelopeHeader.id]), failureClass: .poison, attempts: 0,
                    reason: "missing header ce_id"),
                BadInput(
                    name: "a payload its schema refuses", key: invalid.key!, value: invalid.data, headers: invalid.kafkaHeaders,
                    failureClass: .schema, attempts: 0, reason: "/behavior"),
                BadInput(
                    name: "a handler that always throws", key: transient.key!, value: transient.data,
                    headers: transient.kafkaHeaders, failureClass: .transient, attempts: 3, reason: "injected failure"),
                BadInput(
                    name: "a PermanentFailure", key: permanent.key!, value: permanent.data, headers: permanent.kafkaHeaders,
                    failureClass: .permanent, attempts: 1, reason: "refused permanent for good"),
            ]
        }

        @Test("poison, schema, transient and permanent failures each land in the DLT with their provenance; the next event is handled")
        func deadLetters() async throws {
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: ["--agent", Self.agent, "--retry-delays", "none"])
            let worker = try AgentProcess.testAgent(role: "worker", instance: "worker-1", broker: broker)
            try await worker.waitUntilAssigned()
            let watcher = try await TopicWatcher.start([Self.deadLetterTopic, TestTypes.doneTopic], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)

            // Everything on partition 0, each bad input followed by a good one: the partition must
            // move past every failure.
            let bad = badInputs(publisher)
            var sent: [(input: BadInput, offset: Int64)] = []
            var okIDs: [String] = []
            for (index, input) in bad.enumerated() {
                let report = try await publisher.sendRaw(
                    topic: TestTypes.workTopic, key: input.key, value: input.value, headers: input.headers, partition: 0)
                #expect(report.partition == 0)
                sent.append((input, report.offset))
                let ok = WorkPayload(id: "ok-after-\(index)", seq: index, behavior: "ok")
                try await publisher.send(publisher.root(TestTypes.work, ok.json), partition: 0)
                okIDs.append(ok.id)
            }
            await publisher.close()

            let arrived = await watcher.waitFor { $0.count(Self.deadLetterTopic) >= bad.count && $0.count(TestTypes.doneTopic) >= bad.count }
            #expect(arrived, "dead letters \(watcher.contents.count(Self.deadLetterTopic)), done \(watcher.contents.count(TestTypes.doneTopic))\n\(worker.tail)")

            // The good event after each failure was handled, once, at its first attempt.
            let done = watcher[TestTypes.doneTopic].compactMap { $0.decode(DonePayload.self) }
            #expect(done.map(\.id).sorted() == okIDs.sorted())
            #expect(done.allSatisfy { $0.attempt == 1 })

            let deadLetters = watcher[Self.deadLetterTopic]
            #expect(deadLetters.count == bad.count)
            #expect(await worker.waitFor("event dead-lettered", count: bad.count), "\(worker.tail)")
            #expect(worker.count("event dead-lettered") == bad.count)
            for (input, offset) in sent {
                let matching = deadLetters.filter {
                    $0.headers[RuntimeHeader.originalOffset]?.array == bigEndian(offset)
                }
                #expect(matching.count == 1, "one dead letter for \(input.name) (test.work/0/\(offset))")
                guard let record = matching.first else { continue }
                let deadLetter = DeadLetter(record: record)
                #expect(deadLetter.failureClass == input.failureClass, "\(input.name)")
                #expect(record.header(RuntimeHeader.failureClass) == input.failureClass.rawValue, "\(input.name)")
                #expect(record.header(RuntimeHeader.attempts) == String(input.attempts), "\(input.name)")
                #expect(record.header(RuntimeHeader.agent) == Self.agent)
                #expect(record.header(RuntimeHeader.instance) == "worker-1")
                #expect(record.header(RuntimeHeader.originalConsumerGroup) == Self.agent)
                // Spring's encodings: topic as text, partition as a big-endian Int32, offset as a
                // big-endian Int64, where the input was.
                #expect(record.header(RuntimeHeader.originalTopic) == TestTypes.workTopic)
                #expect(record.headers[RuntimeHeader.originalPartition]?.array == bigEndian(Int32(0)), "\(input.name)")
                #expect(record.headers[RuntimeHeader.originalOffset]?.array == bigEndian(offset), "\(input.name)")
                #expect(record.headers[RuntimeHeader.originalTimestamp]?.count == 8)
                #expect(deadLetter.origin == RecordOrigin(topic: TestTypes.workTopic, partition: 0, offset: offset))
                #expect(deadLetter.reason?.contains(input.reason) == true, "\(input.name): \(deadLetter.reason ?? "no reason")")
                #expect(record.header(RuntimeHeader.exceptionStacktrace)?.isEmpty == false)
                // The original key, value and headers, untouched and first.
                #expect(record.key?.string == input.key, "\(input.name)")
                #expect(record.value.array == input.value, "\(input.name)")
                let originalHeaders = record.headers.prefix(input.headers.count).map { KafkaHeader(name: $0.name, value: $0.value?.array) }
                #expect(originalHeaders == input.headers, "\(input.name)")
            }
            await watcher.stop()
            await stopAll([worker], broker)
        }

        @Test("with a retry-topic delay, a handler that always throws passes through test-worker.retry.200ms, then the DLT after 6 attempts")
        func retryTopicPass() async throws {
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: ["--agent", Self.agent, "--retry-delays", "200ms"])
            let worker = try AgentProcess.testAgent(
                role: "worker", instance: "worker-1", broker: broker, environment: ["AGENTBUS_TEST_RETRY_DELAYS_MS": "200"])
            try await worker.waitUntilAssigned()
            let watcher = try await TopicWatcher.start(
                [Self.deadLetterTopic, Self.retryTopic, TestTypes.doneTopic, AgentTopics.activity], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let failing = publisher.root(TestTypes.work, WorkPayload(id: "always", seq: 0, behavior: "fail-always").json)
            let failingAt = try await publisher.send(failing, partition: 0)
            let ok = publisher.root(TestTypes.work, WorkPayload(id: "ok", seq: 1, behavior: "ok").json)
            try await publisher.send(ok, partition: 0)
            await publisher.close()

            let arrived = await watcher.waitFor { $0.count(Self.deadLetterTopic) >= 1 && $0.count(TestTypes.doneTopic) >= 1 }
            #expect(arrived, "\(worker.tail)")
            // The dead letter's activity record is written with it; wait for it too.
            #expect(await watcher.waitFor { contents in
                contents.activity.contains { $0.outcome == .deadLettered }
            })

            // One pass through the retry topic, after the 3 in-place attempts of the first pass.
            let retries = watcher[Self.retryTopic]
            #expect(retries.count == 1)
            let retry = try #require(retries.first)
            let due = try #require(retry.header(RuntimeHeader.retryDue).flatMap { Int64($0) })
            #expect(retry.header(RuntimeHeader.attempts) == "3")
            #expect(retry.header(RuntimeHeader.retryOrigin) == "test.work/0/\(failingAt.offset)")
            #expect(retry.header(EnvelopeHeader.id) == failing.id)
            #expect(retry.value.array == failing.data)
            #expect(retry.key?.string == failing.key)
            if let written = retry.timestamp?.millisecondsSince1970 {
                #expect((150...5_000).contains(due - written), "due \(due - written) ms after the retry was written")
            }

            // Then 3 more attempts, and the dead letter names the event topic, not the retry topic.
            let deadLetter = try #require(watcher[Self.deadLetterTopic].first)
            #expect(watcher[Self.deadLetterTopic].count == 1)
            #expect(deadLetter.header(RuntimeHeader.failureClass) == "transient")
            #expect(deadLetter.header(RuntimeHeader.attempts) == "6")
            #expect(deadLetter.header(RuntimeHeader.originalTopic) == TestTypes.workTopic)
            #expect(deadLetter.headers[RuntimeHeader.originalPartition]?.array == bigEndian(Int32(0)))
            #expect(deadLetter.headers[RuntimeHeader.originalOffset]?.array == bigEndian(failingAt.offset))
            #expect(deadLetter.header(EnvelopeHeader.id) == failing.id)
            #expect(deadLetter.header(RuntimeHeader.retryDue) == nil, "retry headers are not left on the dead letter")

            // The activity records tell the same story: retried from test.work, dead-lettered
            // from the retry topic, not before the retry was due.
            let activity = watcher[AgentTopics.activity].compactMap { $0.decode(ActivityRecord.self) }
                .filter { $0.eventId == failing.id }
            #expect(activity.map(\.outcome) == [.retried, .deadLettered])
            #expect(activity.map(\.topic) == [TestTypes.workTopic, Self.retryTopic])
            #expect(activity.map(\.attempts) == [3, 6])
            if let second = activity.last { #expect(second.startedAt >= due, "the second pass started before it was due") }

            // The partition moved on while the failing event waited in the retry topic.
            let done = watcher[TestTypes.doneTopic].compactMap { $0.decode(DonePayload.self) }
            #expect(done == [DonePayload(id: "ok", seq: 1, attempt: 1)])
            await watcher.stop()
            await stopAll([worker], broker)
        }
    }
}
