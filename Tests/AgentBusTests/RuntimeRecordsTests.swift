@testable import AgentBus
import Foundation
import JSONSchema
import Kafka
import Testing

@Suite("Runtime records")
struct RuntimeRecordsTests {
    @Test("an activity record's JSON decodes back to the same record, escapes included")
    func activityRoundTrip() throws {
        let record = ActivityRecord(
            agent: "credit-check", instance: "host-1", eventId: "e1", type: "t", source: "/cli", correlationId: "c1",
            causationId: nil, topic: "loan.applications", partition: 2, offset: 41, receivedAt: 1, startedAt: 2,
            finishedAt: 3, outcome: .deadLettered, attempts: 3, published: ["x", "y"], failureClass: .transient,
            error: "bad \"quote\" \\ and\ttab \u{1}")
        #expect(try ActivityRecord(json: record.jsonBytes) == record)
        #expect(String(decoding: record.jsonBytes, as: UTF8.self).contains("\"outcome\":\"dead-lettered\""))
        #expect(try JSONValue(parsing: record.jsonBytes)["causationId"] == nil)
    }

    @Test("runtime record readers name the field that is missing or of the wrong type")
    func recordReaderErrors() {
        #expect(throws: RuntimeRecordError("activity record: not a JSON object")) { try ActivityRecord(json: Array("[]".utf8)) }
        let activity = #"{"agent":"a","instance":"i","topic":"t","partition":0,"offset":1,"receivedAt":1,"startedAt":2,"finishedAt":3,"outcome":"ok","attempts":1,"published":[]}"#
        #expect(throws: Never.self) { try ActivityRecord(json: Array(activity.utf8)) }
        #expect(throws: RuntimeRecordError("activity record: \"outcome\" is not a known value")) {
            try ActivityRecord(json: Array(activity.replacingOccurrences(of: #""ok""#, with: #""fine""#).utf8))
        }
        #expect(throws: RuntimeRecordError("activity record: \"partition\" is not an integer in range")) {
            try ActivityRecord(json: Array(activity.replacingOccurrences(of: #""partition":0"#, with: #""partition":4294967296"#).utf8))
        }
        #expect(throws: RuntimeRecordError("registry record: \"agent\" is missing")) { try RegistryRecord(json: Array("{}".utf8)) }
        #expect(throws: RuntimeRecordError.self) { try Heartbeat(json: Array("not json".utf8)) }
    }

    @Test("heartbeats and registry records read back, with the keys and value types readers rely on")
    func heartbeatAndRegistryRoundTrip() throws {
        let heartbeat = Heartbeat(
            agent: "credit-check", instance: "host-1/\"a\"", version: "1.2.0", host: "h\tost", pid: 4242, status: .stopping,
            startedAt: 1_700_000_000_000, time: 1_700_000_005_000, intervalMs: 5_000, handled: 10, failed: 2, retried: 1,
            deadLettered: 1, duplicates: 3, lag: 7, inFlight: 4, partitions: ["loan.applications/0", "credit-check.retry.10s/1"],
            abandoned: 1)
        #expect(try Heartbeat(json: heartbeat.jsonBytes) == heartbeat)
        // Written before heartbeats counted abandoned handlers: read as none.
        let older = #"{"agent": "a", "instance": "i", "version": "1", "host": "h", "pid": 1, "status": "running", "#
            + #""startedAt": 1, "time": 2, "intervalMs": 5000, "handled": 0, "failed": 0, "retried": 0, "#
            + #""deadLettered": 0, "duplicates": 0, "lag": 0, "inFlight": 0, "partitions": []}"#
        #expect(try Heartbeat(json: Array(older.utf8)).abandoned == 0)
        #expect(try JSONValue(parsing: heartbeat.jsonBytes) == JSONValue(parsing: #"""
            {"agent": "credit-check", "instance": "host-1/\"a\"", "version": "1.2.0", "host": "h\tost", "pid": 4242,
             "status": "stopping", "startedAt": 1700000000000, "time": 1700000005000, "intervalMs": 5000, "handled": 10,
             "failed": 2, "retried": 1, "deadLettered": 1, "duplicates": 3, "lag": 7, "inFlight": 4,
             "abandoned": 1, "partitions": ["loan.applications/0", "credit-check.retry.10s/1"]}
            """#))

        let registry = RegistryRecord(
            agent: "credit-check", version: "1.2.0", consumes: ["loan.application.received.v1"],
            produces: ["loan.credit.checked.v1"], capabilities: [], topics: ["loan.applications", "credit-check.retry.10s"],
            instance: "host-1", time: 1_700_000_000_000)
        #expect(try RegistryRecord(json: registry.jsonBytes) == registry)
        #expect(try JSONValue(parsing: registry.jsonBytes) == JSONValue(parsing: #"""
            {"agent": "credit-check", "version": "1.2.0", "consumes": ["loan.application.received.v1"],
             "produces": ["loan.credit.checked.v1"], "capabilities": [], "topics": ["loan.applications", "credit-check.retry.10s"],
             "instance": "host-1", "time": 1700000000000}
            """#))
    }

    @Test("dead-letter headers use Spring's binary encodings and read back")
    func deadLetterHeaders() throws {
        let original = KafkaRecord(
            topic: "loan.applications", partition: 2, offset: 5_000_000_000,
            timestamp: KafkaTimestamp(millisecondsSince1970: 1_700_000_000_000, kind: .createTime), key: Array("k".utf8),
            value: Array("{}".utf8),
            headers: [
                KafkaHeader(name: "ce_id", value: "e1"), KafkaHeader(name: RuntimeHeader.attempts, value: "9"),
            ])
        let headers = DeadLetter.headers(
            original: original, origin: RecordOrigin(topic: "loan.applications", partition: 2, offset: 5_000_000_000),
            group: "credit-check", agent: "credit-check", instance: "i1", failureClass: .schema, attempts: 0,
            errorType: "SchemaViolation", reason: "schema: /x: missing", trace: "t", failedAt: EventTime(millisecondsSinceEpoch: 0))
        #expect(headers.first == KafkaHeader(name: "ce_id", value: "e1"))
        // The stale attempts header of the original is replaced, not duplicated.
        #expect(headers.filter { $0.name == RuntimeHeader.attempts }.map(\.value) == [Array("0".utf8)])
        #expect(headers.first { $0.name == RuntimeHeader.originalPartition }?.value == [0, 0, 0, 2])
        #expect(headers.first { $0.name == RuntimeHeader.originalOffset }?.value == [0, 0, 0, 1, 0x2A, 0x05, 0xF2, 0x00])

        let letter = DeadLetter(record: KafkaRecord(topic: "credit-check.dlt", value: [], headers: headers))
        #expect(letter.originalTopic == "loan.applications")
        #expect(letter.originalPartition == 2)
        #expect(letter.originalOffset == 5_000_000_000)
        #expect(letter.originalTimestamp == 1_700_000_000_000)
        #expect(letter.failureClass == .schema)
        #expect(letter.reason == "schema: /x: missing")
        #expect(letter.originalHeaders == [KafkaHeader(name: "ce_id", value: "e1")])
    }

    @Test("Kafka Connect's decimal-string provenance reads too")
    func decimalProvenance() {
        #expect(DeadLetter.integer(KafkaBytes(Array("12".utf8))) == 12)
        #expect(DeadLetter.integer(KafkaBytes([0xFF, 0xFF, 0xFF, 0xFF])) == -1)
        #expect(DeadLetter.integer(KafkaBytes([1, 2, 3])) == nil)
    }

    @Test("record origins print and parse as topic/partition/offset")
    func origins() {
        let origin = RecordOrigin(topic: "loan.applications", partition: 3, offset: 17)
        #expect(origin.description == "loan.applications/3/17")
        #expect(RecordOrigin(origin.description) == origin)
        #expect(RecordOrigin("a/b/c") == nil)
    }

    @Test("handler errors are classified: permanent, schema, transient, cancellation")
    func classification() {
        struct Flaky: Error {}
        #expect(HandlerFailure(PermanentFailure("no")).failureClass == .permanent)
        #expect(HandlerFailure(Flaky()).failureClass == .transient)
        #expect(HandlerFailure(PayloadDecodingError(EventCodingError("x"))).failureClass == .schema)
        #expect(HandlerFailure(PublishError.invalidPayload(type: "t", violations: [])).failureClass == .permanent)
        #expect(HandlerFailure(CancellationError()).isCancellation)
        #expect(!HandlerFailure(Flaky()).message.contains("\n"))
    }

    @Test("a heartbeat is live while recent and not stopped")
    func liveness() {
        var heartbeat = Heartbeat(
            agent: "a", instance: "i", version: "1", host: "h", pid: 1, status: .running, startedAt: 0, time: 1_000,
            intervalMs: 1_000, handled: 0, failed: 0, retried: 0, deadLettered: 0, duplicates: 0, lag: 0, inFlight: 0,
            partitions: [])
        #expect(heartbeat.isLive(at: 3_000))
        #expect(!heartbeat.isLive(at: 4_001))
        heartbeat.status = .stopped
        #expect(!heartbeat.isLive(at: 1_000))
        #expect(heartbeat.key == "a/i")
    }
}
