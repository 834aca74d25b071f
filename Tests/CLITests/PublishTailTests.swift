import AgentBus
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

/// `agentbus publish` and `agentbus tail` as users run them: real processes against a
/// dev-broker process with the repository's schema catalog, and kcat as the foreign client.
@Suite("publish and tail, end to end", .serialized, .timeLimit(.minutes(3)))
struct PublishTailTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schemas = repository.appendingPathComponent("schemas").path
    static let applicationReceived = "dev.agentbus.loan.application.received.v1"

    /// The first example payload of a type's schema, as compact JSON.
    static func example(_ type: String) throws -> String {
        let registry = try SchemaRegistry.load(directory: schemas)
        return try #require(registry.eventSchema(for: type)?.examples.first).jsonText
    }

    struct Finished {
        let status: Int32
        let output: [String]
        let errors: [String]
    }

    /// Runs an agentbus command against `broker` to completion.
    func agentbus(_ arguments: [String], _ broker: DevBrokerProcess) async throws -> Finished {
        let process = try ChildProcess(
            arguments + ["--bootstrap-file", broker.bootstrapFile, "--schemas", Self.schemas], capturingStandardError: true)
        let status = await process.waitForExit()
        return Finished(status: status, output: process.lines, errors: process.errorLines)
    }

    func tail(_ arguments: [String], _ broker: DevBrokerProcess) throws -> ChildProcess {
        try ChildProcess(
            ["tail", "--json", "--from-beginning"] + arguments
                + ["--bootstrap-file", broker.bootstrapFile, "--schemas", Self.schemas])
    }

    /// Runs kcat (the foreign Kafka client) to completion; `input` goes to its stdin.
    func kcat(_ arguments: [String], input: String = "") async throws -> Finished {
        let path = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw TestFailure("kcat is not installed; `make test` runs scripts/setup.sh, which installs it") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        func lines(_ data: Data) -> [String] { String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init) }
        return Finished(status: process.terminationStatus, output: lines(output), errors: lines(errors))
    }

    func json(_ line: String) -> JSONValue? { try? JSONValue(parsing: line) }

    func value(_ lines: [String], prefix: String) -> String? {
        lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    @Test("publish validates and publishes; tail shows the typed event; kcat sees every header")
    func publishThenTail() async throws {
        let broker = try await DevBrokerProcess.start(schemas: Self.schemas)
        defer { Task { await broker.stop() } }
        let payload = try Self.example(Self.applicationReceived)
        let tail = try tail(["loan.applications"], broker)

        let published = try await agentbus(["publish", Self.applicationReceived, "--data", payload], broker)
        #expect(published.status == 0, "\(published.errors)")
        let id = try #require(value(published.output, prefix: "event-id: "))
        let correlation = try #require(value(published.output, prefix: "correlation-id: "))
        #expect(id == correlation, "a root event starts its own workflow")

        #expect(await tail.waitFor { $0.contains { $0.contains(id) } })
        let line = try #require(tail.lines.compactMap(json).first { $0["event"]?["id"] == .string(id) })
        let event = try #require(line["event"])
        #expect(line["topic"] == .string("loan.applications"))
        #expect(event["type"] == .string(Self.applicationReceived))
        #expect(event["source"] == .string("/cli"))
        #expect(event["correlationid"] == .string(id))
        #expect(event["causationid"] == nil)
        #expect(event["key"] == .string(id), "keyed by correlation ID by default")
        #expect(event["hops"] == .number(JSONNumber(0)))
        #expect(event["dataschema"] == .string("https://agentbus.dev/schemas/\(Self.applicationReceived).json"))
        #expect(event["data"] == (try JSONValue(parsing: payload)))
        #expect(line["schemaError"] == nil)

        let headers = try await kcat(["-b", broker.bootstrapServers, "-C", "-t", "loan.applications", "-o", "beginning", "-e", "-q", "-f", "%h\n"])
        #expect(headers.status == 0, "\(headers.errors)")
        let printed = headers.output.joined(separator: ",")
        for expected in [
            "ce_specversion=1.0", "ce_id=\(id)", "ce_source=/cli", "ce_type=\(Self.applicationReceived)", "ce_time=",
            "ce_dataschema=https://agentbus.dev/schemas/", "ce_correlationid=\(id)", "content-type=application/json",
            "traceparent=00-", "agentbus_hops=0",
        ] {
            #expect(printed.contains(expected), "kcat shows \(expected)")
        }
    }

    @Test("tail reads a kcat-written CloudEvent as a typed event, shows foreign records raw, and keeps going")
    func foreignRecords() async throws {
        let broker = try await DevBrokerProcess.start(schemas: Self.schemas)
        defer { Task { await broker.stop() } }
        let payload = try Self.example(Self.applicationReceived)
        let tail = try tail(["loan.applications"], broker)

        func produce(_ headers: [String], key: String, value: String) async throws {
            let arguments = ["-b", broker.bootstrapServers, "-P", "-t", "loan.applications", "-p", "0", "-k", key]
                + headers.flatMap { ["-H", $0] }
            let result = try await kcat(arguments, input: value + "\n")
            #expect(result.status == 0, "\(result.errors)")
        }
        let complete = [
            "ce_specversion=1.0", "ce_source=/external/kcat", "ce_type=\(Self.applicationReceived)",
            "content-type=application/json",
        ]
        // All on partition 0, in this order: the readable event comes after the bad ones.
        try await produce(complete, key: "no-id", value: payload)  // no ce_id
        try await produce([], key: "plain", value: "just text")
        try await produce(complete + ["ce_id=bad-hops", "agentbus_hops=abc"], key: "bad-hops", value: payload)
        try await produce(complete + ["ce_id=bad-time", "ce_time=yesterday"], key: "bad-time", value: payload)
        try await produce(complete + ["ce_id=bad-json"], key: "bad-json", value: "{not json")
        try await produce(complete + ["ce_id=kcat-1"], key: "APP-1", value: payload)

        #expect(await tail.waitFor { $0.contains { $0.contains("\"kcat-1\"") } })
        let lines = tail.lines.compactMap(json)
        #expect(lines.count == 6, "every record is shown, none dropped: \(tail.lines)")
        let raw = lines.compactMap { $0["notAnEvent"]?.stringValue }
        #expect(raw == [
            "missing header ce_id", "no ce_specversion header: not a CloudEvent",
            "agentbus_hops \"abc\" is not a whole number", "ce_time \"yesterday\" is not an RFC 3339 time",
        ])
        #expect(lines.first { $0["notAnEvent"] != nil }?["value"] == .string(payload))

        let badJSON = try #require(lines.first { $0["event"]?["id"] == .string("bad-json") })
        #expect(badJSON["event"]?["data"] == .string("{not json"))
        #expect(badJSON["schemaError"]?.stringValue?.hasPrefix("schema: /: invalid JSON") == true)

        let typed = try #require(lines.last?["event"])
        #expect(typed["id"] == .string("kcat-1"))
        #expect(typed["type"] == .string(Self.applicationReceived))
        #expect(typed["correlationid"] == .string("kcat-1"), "a foreign event without a correlation ID starts a workflow")
        #expect(typed["key"] == .string("APP-1"))
        #expect(lines.last?["schemaError"] == nil)
    }

    @Test("invalid, unknown-type and non-JSON publishes exit 1, say why, and change nothing on the topic")
    func rejectedPublishes() async throws {
        let broker = try await DevBrokerProcess.start(schemas: Self.schemas)
        defer { Task { await broker.stop() } }
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [broker.bootstrapServers]))
        defer { admin.close() }
        let partitions = (0..<3).map { KafkaTopicPartition(topic: "loan.applications", partition: Int32($0)) }
        func recordsOnTopic() async throws -> Int64 {
            try await admin.watermarks(of: partitions).values.reduce(0) { $0 + $1.high }
        }

        let invalid = try await agentbus(
            ["publish", Self.applicationReceived, "--data", #"{"applicationId": "APP-000001", "termMonths": 2}"#], broker)
        #expect(invalid.status == 1)
        #expect(invalid.errors.contains("schema: /termMonths: 2 is less than the minimum 6 (minimum)"), "\(invalid.errors)")
        #expect(invalid.errors.contains("schema: /: missing required property \"applicantId\" (required)"))
        #expect(invalid.output.isEmpty)

        let unknown = try await agentbus(["publish", "dev.agentbus.loan.aplication.recieved.v1", "--data", "{}"], broker)
        #expect(unknown.status == 1)
        #expect(unknown.errors.count == 1)
        #expect(unknown.errors.first?.contains("unknown event type") == true)
        #expect(unknown.errors.first?.contains("did you mean \(Self.applicationReceived)") == true, "\(unknown.errors)")

        let notJSON = try await agentbus(["publish", Self.applicationReceived, "--data", "{oops"], broker)
        #expect(notJSON.status == 1)
        #expect(notJSON.errors == ["agentbus publish: --data is not JSON: invalid JSON at byte 1: expected a property name in quotes"])

        #expect(try await recordsOnTopic() == 0, "nothing reached the topic")
        let valid = try await agentbus(["publish", Self.applicationReceived, "--data", try Self.example(Self.applicationReceived)], broker)
        #expect(valid.status == 0)
        #expect(try await recordsOnTopic() == 1, "the check above would have seen a publish")
    }

    @Test("the key is --key, else the schema's key field, else the correlation ID; --correlation-id joins a workflow")
    func keysAndCorrelation() async throws {
        let broker = try await DevBrokerProcess.start(schemas: Self.schemas)
        defer { Task { await broker.stop() } }
        func publish(_ type: String, _ extra: [String] = []) async throws -> JSONValue {
            let result = try await agentbus(["publish", type, "--data", try Self.example(type), "--json"] + extra, broker)
            #expect(result.status == 0, "\(result.errors)")
            return try #require(result.output.first.flatMap(json))
        }

        let fraud = "dev.agentbus.loan.fraud.checked.v1"
        let keyed = try await publish(fraud)
        #expect(keyed["key"] == (try JSONValue(parsing: Self.example(fraud)))["applicantId"])
        #expect(keyed["topic"] == .string("loan.checks"))

        let explicit = try await publish(fraud, ["--key", "chosen"])
        #expect(explicit["key"] == .string("chosen"))

        let joined = try await publish(Self.applicationReceived, ["--correlation-id", "workflow-7"])
        #expect(joined["correlationId"] == .string("workflow-7"))
        #expect(joined["key"] == .string("workflow-7"))
        #expect(joined["id"] != .string("workflow-7"))
    }

    @Test("publish refuses a bad event without contacting Kafka, and fails within its timeout when no broker answers")
    func noBroker() async throws {
        let unreachable = ["--brokers", "127.0.0.1:1", "--schemas", Self.schemas]
        func run(_ arguments: [String]) async throws -> Finished {
            let process = try ChildProcess(arguments + unreachable, capturingStandardError: true)
            let status = await process.waitForExit()
            return Finished(status: status, output: process.lines, errors: process.errorLines)
        }
        let invalid = try await run(["publish", Self.applicationReceived, "--data", "{}"])
        #expect(invalid.status == 1)
        #expect(invalid.errors.allSatisfy { $0.hasPrefix("agentbus publish: ") || $0.hasPrefix("schema: ") },
            "only the refusal, no connection noise: \(invalid.errors)")

        let clock = ContinuousClock()
        let start = clock.now
        let valid = try await run(["publish", Self.applicationReceived, "--data", try Self.example(Self.applicationReceived), "--timeout", "2"])
        #expect(valid.status == 1)
        #expect(valid.errors.count == 1, "one line: \(valid.errors)")
        #expect(valid.errors.first?.hasPrefix("agentbus publish: nothing was published: no broker at 127.0.0.1:1 answered") == true)
        #expect(clock.now - start < .seconds(20), "bounded by --timeout, not the 5-minute delivery default")
    }

    @Test("tail prints each record on one line, whatever its bytes")
    func oneLinePerRecord() async throws {
        let broker = try await DevBrokerProcess.start(schemas: Self.schemas)
        defer { Task { await broker.stop() } }
        let tail = try ChildProcess(
            ["tail", "loan.applications", "--from-beginning", "--bootstrap-file", broker.bootstrapFile, "--schemas", Self.schemas])
        let sent = try await kcat(["-b", broker.bootstrapServers, "-P", "-t", "loan.applications", "-p", "0", "-D", "\u{1}", "-k", "a\nb"],
            input: "line one\nline two\u{1b}[31m")
        #expect(sent.status == 0, "\(sent.errors)")
        #expect(await tail.waitFor { $0.contains { $0.contains("line two") } })
        let line = try #require(tail.lines.first { $0.contains("line one") })
        #expect(line.hasSuffix(#"(raw: no ce_specversion header: not a CloudEvent) key=a\nb line one\nline two\u001b[31m"#), "\(line)")
    }

    @Test("tail names the runtime's own records (activity, heartbeats) instead of calling them raw")
    func runtimeRecords() async throws {
        let broker = try await DevBrokerProcess.start(schemas: Self.schemas)
        defer { Task { await broker.stop() } }
        let tail = try ChildProcess(
            ["tail", AgentTopics.activity, "--from-beginning", "--bootstrap-file", broker.bootstrapFile, "--schemas", Self.schemas])
        let sent = try await kcat(["-b", broker.bootstrapServers, "-P", "-t", AgentTopics.activity, "-p", "0", "-k", "corr-1"],
            input: #"{"agent":"credit-check","outcome":"ok"}"#)
        #expect(sent.status == 0, "\(sent.errors)")
        #expect(await tail.waitFor { $0.contains { $0.contains("credit-check") } })
        let line = try #require(tail.lines.first { $0.contains("credit-check") })
        #expect(line.hasSuffix(#"agentbus.activity/0@0 activity key=corr-1 {"agent":"credit-check","outcome":"ok"}"#), "\(line)")
    }
}
