import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

/// `agentbus topics create` and the topics `agentbus dev-broker` creates at start, against a
/// dev-broker process (the embedded cluster, reached through its control socket).
@Suite("topics create", .serialized, .timeLimit(.minutes(3)))
struct TopicsCreateTests {
    static let schemas = PublishTailTests.schemas

    /// Each topic's partition count, from the cluster's metadata.
    func partitionCounts(_ broker: DevBrokerProcess) async throws -> [String: Int] {
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [broker.bootstrapServers]))
        defer { admin.close() }
        return Dictionary(uniqueKeysWithValues: try await admin.topics().map { ($0.name, $0.partitionCount) })
    }

    @Test("creates the catalog's, the agents' and the runtime topics; a second run says they exist and exits 0")
    func createThenAgain() async throws {
        // No catalog in the dev-broker: the event topics are topics create's to make.
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let catalog = try SchemaRegistry.load(directory: Self.schemas).topics
        #expect(catalog.count == 12, "eleven loan topics and agentbus.alerts")
        let before = try await partitionCounts(broker)
        #expect(catalog.allSatisfy { before[$0] == nil }, "\(before)")

        let first = try await CLIRun.agentbus(
            ["topics", "create", "--schemas", Self.schemas, "--agent", "scorer", "--agent", "decider", "--partitions", "2"], broker)
        #expect(first.status == 0, "\(first.errors)")
        // One retry topic per delay tier of the default policy (10 s, 60 s).
        let agentTopics = [
            "scorer.retry.10s", "scorer.retry.60s", "scorer.dlt", "scorer.timers", "scorer.state", "scorer.journal",
            "decider.retry.10s", "decider.retry.60s", "decider.dlt", "decider.timers", "decider.state", "decider.journal",
        ]
        #expect(first.output == catalog.map { "\($0): created (2 partitions, replication 1)" }
            + agentTopics.map { "\($0): created (2 partitions, replication 1)" }
            + AgentTopics.runtime.map { "\($0): already exists" }, "\(first.output)")

        let after = try await partitionCounts(broker)
        for topic in catalog + agentTopics { #expect(after[topic] == 2, "\(topic): \(after[topic] ?? 0) partitions") }
        for topic in AgentTopics.runtime { #expect(after[topic] == 3, "the dev-broker made \(topic) at start") }

        let second = try await CLIRun.agentbus(
            ["topics", "create", "--schemas", Self.schemas, "--agent", "scorer", "--agent", "decider", "--agent", "auditor"], broker)
        #expect(second.status == 0, "\(second.errors)")
        #expect(second.output.count == catalog.count + 18 + AgentTopics.runtime.count)
        #expect(
            second.output.filter { $0.hasSuffix(": already exists") }.count == catalog.count + 12 + AgentTopics.runtime.count,
            "\(second.output)")
        #expect(second.output.contains("auditor.retry.10s: created (3 partitions, replication 1)"))
        #expect(second.output.contains("auditor.retry.60s: created (3 partitions, replication 1)"))
        #expect(second.output.contains("auditor.dlt: created (3 partitions, replication 1)"))
        #expect(second.output.contains("auditor.timers: created (3 partitions, replication 1)"))
        #expect(second.output.contains("auditor.state: created (3 partitions, replication 1)"))
        #expect(try await partitionCounts(broker)["scorer.dlt"] == 2, "an existing topic is left as it is")
    }

    @Test("dev-broker --agent creates that agent's retry and dead-letter topics, and the runtime topics, at start")
    func devBrokerAgents() async throws {
        let broker = try await DevBrokerProcess.start(arguments: ["--agent", "scorer", "--catalog-partitions", "4"])
        defer { Task { await broker.stop() } }
        let counts = try await partitionCounts(broker)
        for topic in ["scorer.retry.10s", "scorer.retry.60s", "scorer.dlt", "scorer.timers", "scorer.state"] + AgentTopics.runtime {
            #expect(counts[topic] == 4, "\(topic): \(counts[topic] ?? 0) partitions")
        }
        let again = try await CLIRun.agentbus(["topics", "create", "--schemas", Self.schemas, "--agent", "scorer"], broker)
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.output.contains("scorer.dlt: already exists"))
        #expect(again.output.contains("scorer.retry.10s: already exists"))
    }

    @Test("--retry-delays picks the retry tiers of dev-broker --agent and topics create: one topic per distinct delay")
    func retryDelayTiers() async throws {
        // 2s and 2000ms are one tier.
        let broker = try await DevBrokerProcess.start(
            arguments: ["--agent", "scorer", "--retry-delays", "500ms,2s,2000ms", "--catalog-partitions", "2"])
        defer { Task { await broker.stop() } }
        let counts = try await partitionCounts(broker)
        #expect(counts.keys.filter { $0.hasPrefix("scorer.retry") }.sorted() == ["scorer.retry.2s", "scorer.retry.500ms"])

        let created = try await CLIRun.agentbus(
            ["topics", "create", "--agent", "scorer", "--agent", "auditor", "--retry-delays", "500ms,1m"], broker)
        #expect(created.status == 0, "\(created.errors)")
        #expect(created.output.contains("scorer.retry.500ms: already exists"), "\(created.output)")
        #expect(created.output.contains("scorer.retry.60s: created (3 partitions, replication 1)"), "\(created.output)")
        #expect(created.output.contains("auditor.retry.500ms: created (3 partitions, replication 1)"), "\(created.output)")
        // An agent without retry delays still reads the 0 s tier, where redriven dead letters go.
        let none = try await CLIRun.agentbus(["topics", "create", "--agent", "plain", "--retry-delays", "none"], broker)
        #expect(none.status == 0, "\(none.errors)")
        #expect(none.output.filter { $0.hasPrefix("plain.") } == [
            "plain.retry.0s: created (3 partitions, replication 1)", "plain.dlt: created (3 partitions, replication 1)",
            "plain.timers: created (3 partitions, replication 1)", "plain.state: created (3 partitions, replication 1)",
            "plain.journal: created (3 partitions, replication 1)",
        ])
        let after = try await partitionCounts(broker)
        for topic in ["scorer.retry.60s", "auditor.retry.500ms", "auditor.retry.60s", "plain.retry.0s"] {
            #expect(after[topic] == 3, "\(topic): \(after[topic] ?? 0) partitions")
        }

        let bad = try await CLIRun.agentbus(["topics", "create", "--agent", "scorer", "--retry-delays", "10s,soon"], broker)
        #expect(bad.status != 0)
        #expect(bad.errors.contains { $0.contains("--retry-delays takes delays such as 10s,60s or 500ms, or none; got \"soon\"") },
            "\(bad.errors)")
        #expect(try await partitionCounts(broker).keys.filter { $0.hasPrefix("scorer.retry.10s") }.isEmpty, "nothing created")
    }

    @Test("a topic the dev-broker cannot create fails that topic with the reason, and exits 1")
    func replicationTooHigh() async throws {
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let result = try await CLIRun.agentbus(["topics", "create", "--agent", "scorer", "--replication", "3"], broker)
        #expect(result.status == 1)
        #expect(result.errors.contains { $0.hasPrefix("agentbus topics create: scorer.dlt: ") && $0.contains("replication factor 3") },
            "\(result.errors)")
        #expect(result.output.filter { $0.contains("created") }.isEmpty, "\(result.output)")
        #expect(try await partitionCounts(broker)["scorer.dlt"] == nil)
    }

    @Test("refuses a bad agent name, and says so in one line when the dev-broker has no control socket")
    func clearFailures() async throws {
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let badName = try await CLIRun.agentbus(["topics", "create", "--agent", "Scorer"], broker)
        #expect(badName.status == 1)
        #expect(badName.errors == ["agentbus topics create: agent name \"Scorer\" must start with a lowercase letter"])

        // A bootstrap file naming a live process (this one) that listens on no control socket.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-test-\(UUID().uuidString)")
        let file = directory.appendingPathComponent("dev-broker").path
        try DevBrokerFile(path: file).write(bootstrapServers: broker.bootstrapServers, processID: getpid())
        defer { try? FileManager.default.removeItem(at: directory) }
        let noSocket = try await CLIRun.agentbus(["topics", "create", "--bootstrap-file", file])
        #expect(noSocket.status == 1)
        #expect(noSocket.errors.count == 1, "\(noSocket.errors)")
        #expect(noSocket.errors.first?.hasPrefix("agentbus topics create: nothing was created: cannot reach the dev-broker's control socket \(file).sock") == true,
            "\(noSocket.errors)")
    }
}

/// `agentbus cancel`: the control record every agent follows.
@Suite("cancel", .serialized, .timeLimit(.minutes(2)))
struct CancelCommandTests {
    @Test("writes a cancel record for the workflow to agentbus.control, with the reason and who asked")
    func writesControlRecord() async throws {
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let run = try await CLIRun.agentbus(["cancel", "wf-42", "--reason", "customer withdrew"], broker)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.first?.hasPrefix("cancelled wf-42") == true, "\(run.output)")
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "check-\(UUID())")
        configuration.tuneForEmbeddedCluster()
        configuration.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe(topics: [AgentTopics.control])
        var control: WorkflowControl?
        for try await record in consumer.messages {
            control = try WorkflowControl(json: record.value)
            #expect(record.key?.string == "wf-42")
            break
        }
        await consumer.close()
        #expect(control?.action == .cancel)
        #expect(control?.correlationId == "wf-42")
        #expect(control?.reason == "customer withdrew")

        let missing = try await CLIRun.agentbus(["cancel", "wf-42"], broker)
        #expect(missing.status != 0)
        #expect(missing.errors.joined().contains("--reason"), "\(missing.errors)")
    }
}
