import AgentBus
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

/// `agentbus agents` against heartbeats written here as the runtime writes them (JSON, keyed by
/// `<agent>/<instance>`, to agentbus.heartbeats).
@Suite("agents", .serialized, .timeLimit(.minutes(2)))
struct AgentsCommandTests {
    func heartbeat(
        _ agent: String, _ instance: String, _ status: Heartbeat.Status, time: Int64, handled: Int, lag: Int64 = 0
    ) -> Heartbeat {
        Heartbeat(
            agent: agent, instance: instance, version: "1.0.0", host: "host-1", pid: 4242, status: status,
            startedAt: time - 60_000, time: time, intervalMs: 5_000, handled: handled, failed: 2, retried: 1,
            deadLettered: 1, duplicates: 0, lag: lag, inFlight: 3, partitions: ["loan.applications/0"])
    }

    func send(_ heartbeats: [Heartbeat], _ broker: DevBrokerProcess) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [broker.bootstrapServers]))
        for heartbeat in heartbeats {
            try await producer.send(topic: AgentTopics.heartbeats, key: heartbeat.key, value: heartbeat.jsonBytes)
        }
        try await producer.close()
    }

    @Test("shows the latest heartbeat of each live instance; --all adds stopped and stale ones")
    func liveAndAll() async throws {
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let none = try await CLIRun.agentbus(["agents"], broker)
        #expect(none.status == 0)
        #expect(none.output == ["no live agent instances"])

        let now = EventTime.now().millisecondsSinceEpoch
        try await send([
            heartbeat("scorer", "scorer-1", .starting, time: now - 4_000, handled: 0),
            heartbeat("scorer", "scorer-1", .running, time: now, handled: 42, lag: 7),
            heartbeat("decider", "decider-1", .stopped, time: now - 1_000, handled: 9),
            heartbeat("extractor", "extractor-1", .running, time: now - 120_000, handled: 5),
        ], broker)
        // Not a heartbeat: reported, not fatal.
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [broker.bootstrapServers]))
        try await producer.send(topic: AgentTopics.heartbeats, key: "junk", value: "not json")
        try await producer.close()

        let live = try await CLIRun.agentbus(["agents"], broker)
        #expect(live.status == 0, "\(live.errors)")
        #expect(live.output.count == 2, "a header and the one live instance: \(live.output)")
        #expect(live.output.first?.split(separator: " ", omittingEmptySubsequences: true) == [
            "AGENT", "INSTANCE", "STATUS", "LAG", "HANDLED", "FAILED", "DEAD-LETTERED", "IN-FLIGHT", "LAST", "SEEN",
        ])
        let row = live.output.last?.split(separator: " ", omittingEmptySubsequences: true).map(String.init) ?? []
        #expect(Array(row.prefix(8)) == ["scorer", "scorer-1", "running", "7", "42", "2", "1", "3"], "the latest heartbeat: \(row)")
        #expect(row.suffix(2).last == "ago")
        #expect(live.errors.contains("agentbus agents: skipped 1 record(s) of agentbus.heartbeats that are not heartbeats"))

        let all = try await CLIRun.agentbus(["agents", "--all"], broker)
        #expect(all.status == 0)
        let statuses = all.output.dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(3).joined(separator: " ") }
        #expect(statuses == ["decider decider-1 stopped", "extractor extractor-1 stale", "scorer scorer-1 running"], "\(all.output)")
        #expect(all.output.contains { $0.hasPrefix("extractor") && $0.hasSuffix("2m ago") }, "\(all.output)")

        let json = try await CLIRun.agentbus(["agents", "--all", "--json"], broker)
        let objects = json.output.compactMap { try? JSONValue(parsing: $0) }
        #expect(objects.map { $0["instance"]?.stringValue } == ["decider-1", "extractor-1", "scorer-1"])
        #expect(objects.map { $0["live"] } == [.bool(false), .bool(false), .bool(true)])
        #expect(objects.last?["handled"] == .number(JSONNumber(42)))
    }

    func activity(_ agent: String, _ outcome: ActivityRecord.Outcome, at time: Int64) -> ActivityRecord {
        ActivityRecord(
            agent: agent, instance: "\(agent)-1", eventId: "evt-\(agent)-\(time)", type: "t", source: "/cli",
            correlationId: "wf-\(time)", causationId: nil, topic: "t", partition: 0, offset: 0, receivedAt: time,
            startedAt: time, finishedAt: time, outcome: outcome, attempts: 1, published: [], failureClass: nil, error: nil)
    }

    @Test("--capabilities: per capability, the agents offering it, their live instances and success rates")
    func capabilities() async throws {
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let now = EventTime.now().millisecondsSinceEpoch
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [broker.bootstrapServers]))
        let registry = [
            RegistryRecord(
                agent: "scorer", version: "0.9.0", consumes: [], produces: [], capabilities: ["scoring"], topics: [],
                instance: "scorer-1", time: now - 60_000),
            RegistryRecord(
                agent: "scorer", version: "1.0.0", consumes: [], produces: [], capabilities: ["scoring", "risk"], topics: [],
                instance: "scorer-1", time: now - 30_000),
            RegistryRecord(
                agent: "checker", version: "2.0.0", consumes: [], produces: [], capabilities: ["risk"], topics: [],
                instance: "checker-1", time: now - 30_000),
            RegistryRecord(
                agent: "logger", version: "1.0.0", consumes: [], produces: [], capabilities: [], topics: [],
                instance: "logger-1", time: now - 30_000),
        ]
        for record in registry {
            try await producer.send(topic: AgentTopics.registry, key: record.agent, value: record.jsonBytes)
        }
        try await send([
            heartbeat("scorer", "scorer-1", .running, time: now, handled: 4),
            heartbeat("scorer", "scorer-2", .running, time: now, handled: 4),
            heartbeat("checker", "checker-1", .stopped, time: now, handled: 1),
        ], broker)
        // Three ok, one dead-lettered, one retried (not an end) for the scorer; one rejected for
        // the checker.
        let records = [
            activity("scorer", .ok, at: now - 1_000), activity("scorer", .ok, at: now - 900),
            activity("scorer", .ok, at: now - 800), activity("scorer", .deadLettered, at: now - 700),
            activity("scorer", .retried, at: now - 600), activity("checker", .rejected, at: now - 500),
        ]
        for record in records {
            try await producer.send(topic: AgentTopics.activity, key: record.correlationId, value: record.jsonBytes)
        }
        try await producer.close()

        let table = try await CLIRun.agentbus(["agents", "--capabilities"], broker)
        #expect(table.status == 0, "\(table.errors)")
        let rows = table.output.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(rows == [
            "CAPABILITY AGENT VERSION LIVE OK FAILED SUCCESS",
            "risk checker 2.0.0 0 0 1 0.0%",
            "risk scorer 1.0.0 2 3 1 75.0%",
            "scoring scorer 1.0.0 2 3 1 75.0%",
            "- logger 1.0.0 0 0 0 -",
            "OK and FAILED (dead-lettered or rejected): handlings in the last 1h of agentbus.activity",
        ], "\(table.output)")

        let json = try await CLIRun.agentbus(["agents", "--capabilities", "--json"], broker)
        let objects = json.output.compactMap { try? JSONValue(parsing: $0) }
        #expect(objects.map { $0["capability"] } == [.string("risk"), .string("scoring"), .null])
        let scorer = objects.first?["agents"]?.arrayValue?.last
        #expect(scorer?["agent"] == .string("scorer") && scorer?["successRate"] == .number(JSONNumber(0.75)), "\(json.output)")

        // A window that ends before the records: no handlings counted.
        let narrow = try await CLIRun.agentbus(["agents", "--capabilities", "--json", "--window", "1ms"], broker)
        let counts = narrow.output.compactMap { try? JSONValue(parsing: $0) }.flatMap { $0["agents"]?.arrayValue ?? [] }
        #expect(!counts.isEmpty && counts.allSatisfy { $0["ok"] == .number(JSONNumber(0)) && $0["successRate"] == .null })

        let bad = try await CLIRun.agentbus(["agents", "--capabilities", "--window", "soon"], broker)
        #expect(bad.status == 64)
        #expect(bad.errors.first == "Error: --window takes an age such as 15m, 1h or 2d, got \"soon\"")
    }
}
