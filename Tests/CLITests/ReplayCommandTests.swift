import AgentBus
import AgentBusReplay
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

/// `agentbus replay` and its subcommands as users run them: option checking, one-line errors,
/// help, reading a dev-broker process, saving, and redriving.
/// Replays of workflows run by real agents are tested with the runtime (AgentRuntimeTests).
@Suite("replay, ls, lint and redrive", .serialized, .timeLimit(.minutes(3)))
struct ReplayCommandTests {
    static let schemas = PublishTailTests.schemas
    static let applicationReceived = PublishTailTests.applicationReceived

    /// Runs `agentbus` against nothing: any attempt to reach a broker would fail slowly and say so.
    func offline(_ arguments: [String]) async throws -> PublishTailTests.Finished {
        try await CLIRun.agentbus(arguments + ["--brokers", "127.0.0.1:1"])
    }

    @Test("bad values are one line on stderr and exit 1, before any broker is contacted")
    func optionErrors() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let cases: [([String], String)] = [
            (["replay", "wf-1", "--format", "svg"],
             "agentbus replay: unknown --format \"svg\"; formats: tree, timeline, json, dot, mermaid, chrome, otlp"),
            (["replay", "wf-1", "--since", "yesterday"],
             "agentbus replay: --since: \"yesterday\" is not a time, an age or offsets; expected an RFC 3339 time (2026-11-21T04:00:00Z), an age (30s, 15m, 2h, 1d), @OFFSET or TOPIC:PARTITION@OFFSET"),
            (["replay", "ls", "--until", "orders:x@3"],
             "agentbus replay ls: --until: \"orders:x@3\" is not TOPIC:PARTITION@OFFSET (e.g. loan.applications:0@42)"),
            (["replay", "ls", "--since", "@-4"],
             "agentbus replay ls: --since: \"@-4\": the offset after @ must be a whole number, 0 or more"),
            (["replay", "lint", "--stall-after", "soon"],
             "agentbus replay lint: --stall-after \"soon\" is not a duration; expected e.g. 500ms, 30s, 5m, 1h, 1d"),
            (["replay", "lint", "--skew", "1"],
             "agentbus replay lint: --skew \"1\" is not a duration; expected e.g. 500ms, 30s, 5m, 1h, 1d"),
            (["replay", "wf-1", "--format", "json", "--critical-path"],
             "agentbus replay: --critical-path goes with --format tree or timeline, not json"),
            (["replay"],
             "agentbus replay: give a correlation ID (`agentbus replay ls` lists the workflows), or --save FILE to save the whole log"),
            (["replay", "ls", "--slowest", "0"], "agentbus replay ls: --slowest takes a whole number of at least 1"),
            (["replay", "ls", "--from-file", "run.jsonl", "--since", "1h"],
             "agentbus replay ls: --since and --until choose what is read from Kafka; a log given with --from-file is replayed whole"),
            (["replay", "redrive", "evt-1", "--timeout", "0"],
             "agentbus replay redrive: --timeout takes a whole number of seconds, at least 1"),
        ]
        for (arguments, expected) in cases {
            let result = try await offline(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.errors == [expected], "\(arguments)")
            #expect(result.output.isEmpty, "\(arguments)")
        }
        #expect(clock.now - start < .seconds(30), "none of them waited for a broker")
    }

    @Test("--from-file of a missing file or a directory is one line")
    func missingFile() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-test-\(UUID().uuidString).jsonl").path
        for arguments in [["replay", "wf-1"], ["replay", "ls"], ["replay", "lint"], ["replay", "redrive", "evt-1"]] {
            let result = try await offline(arguments + ["--from-file", missing])
            let command = arguments.count == 2 && arguments[1] == "wf-1" ? "replay" : "replay \(arguments[1])"
            #expect(result.status == 1)
            #expect(result.errors == ["agentbus \(command): cannot read \(missing): no such file"], "\(result.errors)")
        }
        let directory = FileManager.default.temporaryDirectory.path
        let result = try await offline(["replay", "ls", "--from-file", directory])
        #expect(result.status == 1)
        #expect(result.errors == ["agentbus replay ls: cannot read \(directory): it is a directory, not a saved log"])
    }

    @Test("every replay command explains itself with examples")
    func help() async throws {
        for command in [["replay"], ["replay", "show"], ["replay", "ls"], ["replay", "lint"], ["replay", "redrive"]] {
            let result = try await CLIRun.agentbus(command + ["--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.output.contains("Examples:"), "\(command)")
        }
        let show = try await CLIRun.agentbus(["replay", "show", "--help"])
        for option in ["--format", "--critical-path", "--save", "--from-file", "--since", "--until", "--stall-after", "--skew", "--brokers"] {
            #expect(show.output.contains { $0.contains(option) }, "\(option)")
        }
    }

    @Test("a bound on a partition that is not read, and a cluster that does not answer, are one line each")
    func readErrors() async throws {
        let broker = try await DevBrokerProcess.start(topics: "orders:2")
        defer { Task { await broker.stop() } }
        let unknown = try await CLIRun.agentbus(["replay", "ls", "--since", "orders:5@0"], broker)
        #expect(unknown.status == 1)
        #expect(unknown.errors == ["agentbus replay ls: --since/--until: no such partition among those read: orders/5"])

        let nobody = try await offline(["replay", "ls"])
        #expect(nobody.status == 1)
        #expect(nobody.errors.count == 1, "\(nobody.errors)")
        #expect(nobody.errors.first?.hasPrefix("agentbus replay ls: no broker at 127.0.0.1:1 answered") == true, "\(nobody.errors)")
    }

    // MARK: With ReplayLog (these run once it indexes records)

    func publish(_ broker: DevBrokerProcess, _ extra: [String] = []) async throws -> (id: String, correlation: String) {
        let payload = try PublishTailTests.example(Self.applicationReceived)
        let result = try await CLIRun.agentbus(
            ["publish", Self.applicationReceived, "--data", payload, "--schemas", Self.schemas] + extra, broker)
        #expect(result.status == 0, "\(result.errors)")
        func value(_ prefix: String) throws -> String {
            try #require(result.output.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        }
        return (try value("event-id: "), try value("correlation-id: "))
    }

    @Test("ls lists a published workflow; an event's ID or an unknown one says what to run instead")
    func listAndNotFound() async throws {
        let broker = try await DevBrokerProcess.start(schemas: Self.schemas)
        defer { Task { await broker.stop() } }
        let root = try await publish(broker)
        let joined = try await publish(broker, ["--correlation-id", "wf-joined"])

        let list = try await CLIRun.agentbus(["replay", "ls", "--json"], broker)
        #expect(list.status == 0, "\(list.errors)")
        let rows = list.output.compactMap { try? JSONValue(parsing: $0) }
        #expect(Set(rows.compactMap { $0["correlationId"]?.stringValue }) == [root.correlation, "wf-joined"])
        #expect(rows.first { $0["correlationId"]?.stringValue == root.correlation }?["rootType"]?.stringValue
            == Self.applicationReceived)

        let byEvent = try await CLIRun.agentbus(["replay", joined.id], broker)
        #expect(byEvent.status == 1)
        #expect(byEvent.errors == ["agentbus replay: \(joined.id) is an event of workflow wf-joined; run `agentbus replay wf-joined`"])
        let unknown = try await CLIRun.agentbus(["replay", "wf-nowhere"], broker)
        #expect(unknown.status == 1)
        #expect(unknown.errors.count == 1)
        #expect(unknown.errors.first?.hasSuffix("`agentbus replay ls` lists the workflows") == true, "\(unknown.errors)")

        let shown = try await CLIRun.agentbus(["replay", root.correlation], broker)
        #expect(shown.status == 0, "\(shown.errors)")
        #expect(!shown.output.isEmpty)
    }

    @Test("--save writes a log that --from-file replays to the same list")
    func saveAndReload() async throws {
        let broker = try await DevBrokerProcess.start(schemas: Self.schemas)
        defer { Task { await broker.stop() } }
        _ = try await publish(broker)
        _ = try await publish(broker)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-test-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }

        let saved = try await CLIRun.agentbus(["replay", "--save", file], broker)
        #expect(saved.status == 0, "\(saved.errors)")
        #expect(saved.output.count == 1)
        #expect(saved.output.first?.hasPrefix("saved ") == true, "\(saved.output)")
        let live = try await CLIRun.agentbus(["replay", "ls", "--json"], broker)
        let reloaded = try await CLIRun.agentbus(["replay", "ls", "--json", "--from-file", file])
        #expect(reloaded.status == 0, "\(reloaded.errors)")
        #expect(reloaded.output == live.output)
        #expect(reloaded.output.count == 2)
    }

    @Test("redrive sends a recorded event again as a new workflow that links to the original")
    func redrive() async throws {
        let broker = try await DevBrokerProcess.start(schemas: Self.schemas)
        defer { Task { await broker.stop() } }
        let original = try await publish(broker)

        let dryRun = try await CLIRun.agentbus(["replay", "redrive", original.id, "--dry-run"], broker)
        #expect(dryRun.status == 0, "\(dryRun.errors)")
        #expect(dryRun.output.first?.hasPrefix("correlation-id: ") == true)
        #expect(dryRun.output.contains { $0.hasPrefix("event-id: \(original.id) -> ") && $0.hasSuffix(" \(Self.applicationReceived)") })
        #expect(dryRun.output.contains("  agentbus_replay_of: \(original.id)"), "\(dryRun.output)")

        let sent = try await CLIRun.agentbus(["replay", "redrive", original.id], broker)
        #expect(sent.status == 0, "\(sent.errors)")
        let correlation = try #require(sent.output.first { $0.hasPrefix("correlation-id: ") }).dropFirst("correlation-id: ".count)
        let eventLine = try #require(sent.output.first { $0.hasPrefix("event-id: ") })
        #expect(eventLine == "event-id: \(original.id) -> \(correlation) \(Self.applicationReceived)", "the root's ID is the correlation ID")

        var configuration = KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "unused")
        configuration.tuneForEmbeddedCluster()
        let records = try await TopicSnapshotReader(consumerConfiguration: configuration).read(["loan.applications"])["loan.applications"]
        let copy = try #require(records.first { $0.headers["ce_id"]?.string == String(correlation) })
        #expect(copy.headers["agentbus_replay_of"]?.string == original.id)
        #expect(copy.headers["agentbus_replay_of_correlation"]?.string == original.correlation)
        #expect(copy.headers["ce_correlationid"]?.string == String(correlation))
        let first = try #require(records.first { $0.headers["ce_id"]?.string == original.id })
        #expect(copy.value.array == first.value.array, "the payload as recorded")

        let unknown = try await CLIRun.agentbus(["replay", "redrive", "evt-nowhere"], broker)
        #expect(unknown.status == 1)
        #expect(unknown.errors.count == 1)
    }
}
