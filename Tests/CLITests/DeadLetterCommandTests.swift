import AgentBus
import AgentBusReplay
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

/// `agentbus dlt list|show|redrive` against dead letters written here exactly as the runtime (or
/// Spring Kafka) writes them: the original `ce_` headers, Spring's `kafka_dlt-*` headers in its
/// binary encodings, and AgentBus's `agentbus_*` headers.
@Suite("dlt list, show and redrive", .serialized, .timeLimit(.minutes(3)))
struct DeadLetterCommandTests {
    static let agent = "scorer"
    static let deadLetterTopic = "scorer.dlt"
    /// Redrives go to the shortest of the default retry tiers (10 s, 60 s) the dev-broker made.
    static let retryTopic = "scorer.retry.10s"

    struct Sample {
        let partition: Int32
        let key: String
        let payload: String
        let id: String
        let correlation: String
        let type: String
        let origin: RecordOrigin
        let failureClass: FailureClass
        let attempts: Int
        let reason: String
    }

    static let schemaReason = "schema: /amount: -5 is less than the minimum 0 (minimum)"
    static let timeoutReason = "the handler ran past its 30 s deadline"
    /// Two schema failures (one per partition) and a transient one: offsets 0 and 1 of partition 0
    /// and offset 0 of partition 1.
    static let samples = [
        Sample(
            partition: 0, key: "APP-000001", payload: #"{"applicationId":"APP-000001","amount":-5}"#, id: "evt-1",
            correlation: "wf-1", type: "dev.agentbus.loan.application.received.v1",
            origin: RecordOrigin(topic: "loan.applications", partition: 2, offset: 17), failureClass: .schema, attempts: 1,
            reason: schemaReason),
        Sample(
            partition: 0, key: "APP-000002", payload: #"{"applicationId":"APP-000002"}"#, id: "evt-2", correlation: "wf-2",
            type: "dev.agentbus.loan.credit.checked.v1",
            origin: RecordOrigin(topic: "loan.checks", partition: 1, offset: 300_000_000_000), failureClass: .transient,
            attempts: 5, reason: timeoutReason),
        Sample(
            partition: 1, key: "APP-000003", payload: "{\"note\":\"line one\nline two\u{1b}[31m\",\"pad\":\"" + String(repeating: "x", count: 600) + "\"}",
            id: "evt-3", correlation: "wf-3", type: "dev.agentbus.loan.application.received.v1",
            origin: RecordOrigin(topic: "loan.applications", partition: 0, offset: 4), failureClass: .schema, attempts: 1,
            reason: schemaReason),
    ]

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// The headers of a dead letter, built by hand (not with the runtime's writer), as the format
    /// documented in docs/operations.md.
    static func headers(_ sample: Sample) -> [KafkaHeader] {
        [
            KafkaHeader(name: "ce_specversion", value: "1.0"),
            KafkaHeader(name: "ce_id", value: sample.id),
            KafkaHeader(name: "ce_source", value: "/cli"),
            KafkaHeader(name: "ce_type", value: sample.type),
            KafkaHeader(name: "ce_time", value: "2026-11-21T09:15:30.123Z"),
            KafkaHeader(name: "content-type", value: "application/json"),
            KafkaHeader(name: "ce_correlationid", value: sample.correlation),
            KafkaHeader(name: "traceparent", value: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            KafkaHeader(name: "agentbus_hops", value: "0"),
            KafkaHeader(name: "kafka_dlt-original-topic", value: sample.origin.topic),
            KafkaHeader(name: "kafka_dlt-original-partition", value: bigEndian(sample.origin.partition)),
            KafkaHeader(name: "kafka_dlt-original-offset", value: bigEndian(sample.origin.offset)),
            KafkaHeader(name: "kafka_dlt-original-timestamp", value: bigEndian(Int64(1_795_000_000_000))),
            KafkaHeader(name: "kafka_dlt-original-timestamp-type", value: "CreateTime"),
            KafkaHeader(name: "kafka_dlt-original-consumer-group", value: agent),
            KafkaHeader(name: "kafka_dlt-exception-fqcn", value: "AgentBus.HandlerError"),
            KafkaHeader(name: "kafka_dlt-exception-message", value: sample.reason),
            KafkaHeader(name: "kafka_dlt-exception-stacktrace", value: "HandlerError: \(sample.reason)"),
            KafkaHeader(name: "agentbus_agent", value: agent),
            KafkaHeader(name: "agentbus_instance", value: "scorer-7f3a"),
            KafkaHeader(name: "agentbus_failure_class", value: sample.failureClass.rawValue),
            KafkaHeader(name: "agentbus_attempts", value: String(sample.attempts)),
            KafkaHeader(name: "agentbus_failed_at", value: "2026-11-21T09:15:31.456Z"),
        ]
    }

    /// A dev-broker with the agent's topics (3 partitions each) and the three dead letters.
    func brokerWithDeadLetters() async throws -> DevBrokerProcess {
        let broker = try await DevBrokerProcess.start(arguments: ["--agent", Self.agent])
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [broker.bootstrapServers]))
        for sample in Self.samples {
            try await producer.send(
                topic: Self.deadLetterTopic, key: sample.key, value: sample.payload, headers: Self.headers(sample),
                partition: sample.partition)
        }
        try await producer.close()
        return broker
    }

    func records(_ topic: String, _ broker: DevBrokerProcess) async throws -> [KafkaRecord] {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "unused")
        configuration.tuneForEmbeddedCluster()
        return try await TopicSnapshotReader(consumerConfiguration: configuration).read([topic])[topic]
    }

    func list(_ broker: DevBrokerProcess) async throws -> JSONValue {
        let result = try await CLIRun.agentbus(["dlt", "list", Self.agent, "--json"], broker)
        #expect(result.status == 0, "\(result.errors)")
        return try #require(result.output.first.flatMap { try? JSONValue(parsing: $0) })
    }

    /// `class reason -> [pending, redriven]` from `dlt list --json`.
    func counts(_ list: JSONValue) -> [String: [Int]] {
        var counts: [String: [Int]] = [:]
        for group in list["groups"]?.arrayValue ?? [] {
            let key = "\(group["class"]?.stringValue ?? "?") \(group["reason"]?.stringValue ?? "?")"
            counts[key] = [group["pending"], group["redriven"]].map { Int($0?.numberValue?.description ?? "") ?? -1 }
        }
        return counts
    }

    @Test("list counts by class and reason; dry-run sends nothing; redrive sends only the matches, once")
    func listRedriveList() async throws {
        let broker = try await brokerWithDeadLetters()
        defer { Task { await broker.stop() } }

        let before = try await list(broker)
        #expect(before["total"] == .number(JSONNumber(3)))
        #expect(before["pending"] == .number(JSONNumber(3)))
        #expect(counts(before) == ["schema \(Self.schemaReason)": [2, 0], "transient \(Self.timeoutReason)": [1, 0]])

        let table = try await CLIRun.agentbus(["dlt", "list", Self.agent], broker)
        #expect(table.status == 0)
        #expect(table.output == [
            "scorer.dlt: 3 dead letter(s), 3 pending, 0 redriven",
            "CLASS      PENDING  REDRIVEN  REASON",
            "schema           2         0  \(Self.schemaReason)",
            "transient        1         0  \(Self.timeoutReason)",
            "TOTAL            3         0",
        ], "\(table.output)")

        let dryRun = try await CLIRun.agentbus(["dlt", "redrive", Self.agent, "--where", "class=schema", "--dry-run"], broker)
        #expect(dryRun.status == 0, "\(dryRun.errors)")
        #expect(dryRun.output == [
            "would redrive scorer.dlt/0/0  schema  dev.agentbus.loan.application.received.v1  id=evt-1",
            "would redrive scorer.dlt/1/0  schema  dev.agentbus.loan.application.received.v1  id=evt-3",
            "would redrive 2 dead letter(s) to scorer.retry.10s (dry run: nothing sent)",
        ], "\(dryRun.output)")
        #expect(try await records(Self.retryTopic, broker).isEmpty, "a dry run sends nothing")
        #expect(try await list(broker) == before)

        let redriveStart = EventTime.now().millisecondsSinceEpoch
        let redrive = try await CLIRun.agentbus(["dlt", "redrive", Self.agent, "--where", "class=schema"], broker)
        let redriveEnd = EventTime.now().millisecondsSinceEpoch
        #expect(redrive.status == 0, "\(redrive.errors)")
        #expect(redrive.output.count == 3, "\(redrive.output)")
        #expect(redrive.output[0].hasPrefix("redriven scorer.dlt/0/0  schema  dev.agentbus.loan.application.received.v1  id=evt-1 -> scorer.retry.10s/"))
        #expect(redrive.output[1].hasPrefix("redriven scorer.dlt/1/0  schema  dev.agentbus.loan.application.received.v1  id=evt-3 -> scorer.retry.10s/"))
        #expect(redrive.output[2] == "redrove 2 dead letter(s) to scorer.retry.10s")

        let retried = try await records(Self.retryTopic, broker)
        #expect(retried.count == 2)
        for (sample, position) in [(Self.samples[0], "scorer.dlt/0/0"), (Self.samples[2], "scorer.dlt/1/0")] {
            let record = try #require(retried.first { $0.headers["agentbus_redriven_from"]?.string == position })
            let headers = record.headers
            #expect(record.key?.string == sample.key)
            #expect(record.value.string == sample.payload)
            #expect(headers["agentbus_retry_origin"]?.string == sample.origin.description)
            #expect(headers["agentbus_attempts"]?.string == "0")
            let due = try #require(headers["agentbus_retry_due"].flatMap { Int64($0.string) })
            #expect((redriveStart...redriveEnd).contains(due), "due now: \(due)")
            // The original event's headers, as the agent first read them, in order...
            let original = Self.headers(sample).filter { !$0.name.hasPrefix("kafka_dlt-") && !$0.name.hasPrefix("agentbus_") || $0.name == "agentbus_hops" }
            #expect(Array(headers.prefix(original.count)).map { KafkaHeader(name: $0.name, value: $0.value?.array) } == original)
            // ...and none of the dead letter's provenance.
            #expect(!headers.contains { $0.name.hasPrefix("kafka_dlt-") })
            for name in ["agentbus_failure_class", "agentbus_agent", "agentbus_instance", "agentbus_failed_at"] {
                #expect(headers[name] == nil, "\(name) is not carried into the retry")
            }
            #expect(headers.count == original.count + 4)
        }

        let after = try await list(broker)
        #expect(after["pending"] == .number(JSONNumber(1)))
        #expect(after["redriven"] == .number(JSONNumber(2)))
        #expect(counts(after) == ["schema \(Self.schemaReason)": [0, 2], "transient \(Self.timeoutReason)": [1, 0]])

        let again = try await CLIRun.agentbus(["dlt", "redrive", Self.agent, "--where", "class=schema"], broker)
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.output == ["nothing to redrive: 1 pending dead letter(s), none with class=schema"])
        #expect(try await records(Self.retryTopic, broker).count == 2, "a redriven dead letter is not sent again")
    }

    @Test("show prints every field of a dead letter, on one line each, and --json carries the whole payload")
    func show() async throws {
        let broker = try await brokerWithDeadLetters()
        defer { Task { await broker.stop() } }

        let text = try await CLIRun.agentbus(["dlt", "show", Self.agent], broker)
        #expect(text.status == 0, "\(text.errors)")
        let blocks = text.output.split(separator: "").map(Array.init)
        #expect(blocks.count == 3, "\(text.output)")
        #expect(blocks.first == [
            "scorer.dlt/0/0  pending",
            "  class       schema after 1 attempt",
            "  original    loan.applications/2/17",
            "  agent       scorer instance scorer-7f3a",
            "  failed at   2026-11-21T09:15:31.456Z",
            "  type        dev.agentbus.loan.application.received.v1",
            "  id          evt-1",
            "  correlation wf-1",
            "  reason      \(Self.schemaReason) (AgentBus.HandlerError)",
            "  key         APP-000001",
            "  payload     \(Self.samples[0].payload)",
        ], "\(blocks.first ?? [])")
        #expect(blocks[1].contains("  original    loan.checks/1/300000000000"), "a 64-bit offset, big-endian on the wire")
        let longPayload = try #require(blocks[2].first { $0.hasPrefix("  payload     ") })
        #expect(longPayload.hasPrefix(#"  payload     {"note":"line one\nline two\u001b[31m","pad":"xxx"#), "control characters escaped")
        #expect(longPayload.hasSuffix("... (\(Self.samples[2].payload.utf8.count) bytes, first 500 shown)"), "\(longPayload)")

        let limited = try await CLIRun.agentbus(["dlt", "show", Self.agent, "--json", "--limit", "2"], broker)
        #expect(limited.status == 0)
        let objects = limited.output.compactMap { try? JSONValue(parsing: $0) }
        #expect(objects.count == 2)
        let second = try #require(objects.last)
        #expect(second["status"] == .string("pending"))
        #expect(second["failureClass"] == .string("transient"))
        #expect(second["attempts"] == .number(JSONNumber(5)))
        #expect(second["originalOffset"] == .number(JSONNumber(300_000_000_000)))
        #expect(second["correlationId"] == .string("wf-2"))

        let all = try await CLIRun.agentbus(["dlt", "show", Self.agent, "--json"], broker)
        let third = try #require(all.output.last.flatMap { try? JSONValue(parsing: $0) })
        #expect(third["payload"] == .string(Self.samples[2].payload), "--json carries the payload whole")

        _ = try await CLIRun.agentbus(["dlt", "redrive", Self.agent, "--where", "id=evt-2"], broker)
        let pending = try await CLIRun.agentbus(["dlt", "show", Self.agent, "--pending", "--json"], broker)
        #expect(pending.output.compactMap { (try? JSONValue(parsing: $0))?["id"]?.stringValue } == ["evt-1", "evt-3"])
        let redriven = try await CLIRun.agentbus(["dlt", "show", Self.agent, "--json"], broker)
        let evt2 = try #require(redriven.output.compactMap { try? JSONValue(parsing: $0) }.first { $0["id"] == .string("evt-2") })
        #expect(evt2["status"] == .string("redriven"))
        #expect(evt2["redrivenBy"]?.stringValue?.hasPrefix("scorer.retry.10s/") == true)
    }

    @Test("--where filters combine; a bad key or value is one line listing what is allowed")
    func filters() async throws {
        let broker = try await brokerWithDeadLetters()
        defer { Task { await broker.stop() } }
        func wouldRedrive(_ filters: [String]) async throws -> [String] {
            let result = try await CLIRun.agentbus(["dlt", "redrive", Self.agent, "--dry-run"] + filters.flatMap { ["--where", $0] }, broker)
            #expect(result.status == 0, "\(result.errors)")
            return result.output.filter { $0.hasPrefix("would redrive scorer.dlt/") }.map { String($0.split(separator: " ")[2]) }
        }
        #expect(try await wouldRedrive([]) == ["scorer.dlt/0/0", "scorer.dlt/0/1", "scorer.dlt/1/0"])
        #expect(try await wouldRedrive(["class=schema", "partition=0"]) == ["scorer.dlt/0/0"])
        #expect(try await wouldRedrive(["reason=deadline"]) == ["scorer.dlt/0/1"])
        #expect(try await wouldRedrive(["type=dev.agentbus.loan.application.received.v1", "offset=0"]) == ["scorer.dlt/0/0", "scorer.dlt/1/0"])
        #expect(try await wouldRedrive(["correlation=wf-3"]) == ["scorer.dlt/1/0"])
        #expect(try await wouldRedrive(["id=evt-2"]) == ["scorer.dlt/0/1"])

        let unknown = try await CLIRun.agentbus(["dlt", "redrive", Self.agent, "--where", "colour=red"], broker)
        #expect(unknown.status == 1)
        #expect(unknown.errors == [
            "agentbus dlt redrive: unknown --where key \"colour\"; keys: class, type, reason, partition, offset, id, correlation",
        ])
        let badClass = try await CLIRun.agentbus(["dlt", "redrive", Self.agent, "--where", "class=flaky"], broker)
        #expect(badClass.status == 1)
        #expect(badClass.errors.count == 1)
        #expect(badClass.errors.first?.contains("classes: transient, permanent, poison, schema, budget") == true)
        #expect(try await records(Self.retryTopic, broker).isEmpty)
    }

    @Test("an empty or missing dead-letter topic is not an error, and is read at once")
    func emptyAndMissing() async throws {
        let broker = try await DevBrokerProcess.start(arguments: ["--agent", Self.agent])
        defer { Task { await broker.stop() } }
        let clock = ContinuousClock()
        let start = clock.now
        let empty = try await CLIRun.agentbus(["dlt", "list", Self.agent], broker)
        #expect(empty.status == 0)
        #expect(empty.output == ["scorer.dlt is empty: no dead letters"])
        let missing = try await CLIRun.agentbus(["dlt", "list", "ghost"], broker)
        #expect(missing.status == 0)
        #expect(missing.output == ["ghost.dlt does not exist yet: no dead letters"])
        let show = try await CLIRun.agentbus(["dlt", "show", "ghost"], broker)
        #expect(show.output == ["ghost.dlt does not exist yet: no dead letters"])
        let redrive = try await CLIRun.agentbus(["dlt", "redrive", "ghost"], broker)
        #expect(redrive.status == 0)
        #expect(redrive.output == ["nothing to redrive: ghost.dlt does not exist yet: no dead letters"])
        #expect(clock.now - start < .seconds(10), "nothing to read is not waited for")
        #expect(try await TopicsCreateTests().partitionCounts(broker)["ghost.dlt"] == nil, "reading did not create the topic")

        let badName = try await CLIRun.agentbus(["dlt", "list", "Ghost"], broker)
        #expect(badName.status == 1)
        #expect(badName.errors == ["agentbus dlt list: agent name \"Ghost\" must start with a lowercase letter"])
    }
}
