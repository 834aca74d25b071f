import AgentBus
import Foundation
import TestSupport
import Testing

/// `agentbus topics acl` and `<agent> --describe`, with the example agents' executables: no broker.
@Suite("topics acl")
struct TopicsACLTests {
    struct Grant: Hashable {
        let resourceType: String
        let name: String
        let operation: String
    }

    static func grants(_ line: String) throws -> (principal: String, grants: Set<Grant>) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let acls = try #require(object["acls"] as? [[String: String]])
        return (
            object["principal"] as? String ?? "",
            Set(acls.map { Grant(resourceType: $0["resourceType"] ?? "", name: $0["name"] ?? "", operation: $0["operation"] ?? "") })
        )
    }

    @Test("credit-check may read its group, inputs and retry tiers, and write its output, dead letters and its runtime records; nothing of others, not agentbus.control")
    func creditCheck() async throws {
        let run = try await CLIRun.agentbus(["topics", "acl", "--agent", "credit-check", "--format", "json", "--principal", "User:cc-{agent}"])
        #expect(run.status == 0, "\(run.errors)")
        let (principal, grants) = try Self.grants(try #require(run.output.first))
        #expect(principal == "User:cc-credit-check")
        let reads = Set(grants.filter { $0.operation == "Read" && $0.resourceType == "Topic" }.map(\.name))
        let writes = Set(grants.filter { $0.operation == "Write" }.map(\.name))
        #expect(grants.contains(Grant(resourceType: "Group", name: "credit-check", operation: "Read")))
        #expect(reads == ["loan.applications", "credit-check.retry.10s", "credit-check.retry.60s",
                          "agentbus.control", "agentbus.registry", "agentbus.heartbeats"])
        #expect(writes == ["loan.checks", "credit-check.retry.10s", "credit-check.retry.60s", "credit-check.dlt",
                           "agentbus.activity", "agentbus.heartbeats", "agentbus.registry"])
        #expect(grants.contains(Grant(resourceType: "Cluster", name: "kafka-cluster", operation: "IdempotentWrite")))
    }

    @Test("the grants are what the agent describes of itself, for a stateful agent with effects too")
    func matchesDescribe() async throws {
        for agent in ["aggregator", "explainer"] {
            let environment = ["AGENTBUS_MODEL_URL": "http://127.0.0.1:9/v1"]
            let describe = try ChildProcess(
                ["--describe"], executable: ChildProcess.productsDirectory.appendingPathComponent(agent).path,
                environment: environment, capturingStandardError: true)
            #expect(await describe.waitForExit() == 0, "\(describe.errorLines)")
            let description = try AgentDescription(json: Array(try #require(describe.lines.first).utf8))
            #expect(description.agent == agent)
            let acl = try ChildProcess(["topics", "acl", "--agent", agent, "--format", "json"], environment: environment)
            #expect(await acl.waitForExit() == 0)
            let (_, grants) = try Self.grants(try #require(acl.lines.first))
            #expect(Set(grants.filter { $0.operation == "Write" }.map(\.name)) == Set(description.writes))
            #expect(Set(grants.filter { $0.operation == "Read" && $0.resourceType == "Topic" }.map(\.name))
                == Set(description.subscribes + description.follows))
        }
    }

    @Test("kafka-acls.sh commands name the bootstrap, the admin config and each grant")
    func kafkaACLsFormat() async throws {
        let run = try await CLIRun.agentbus([
            "topics", "acl", "--agent", "notifier", "--bootstrap-server", "kafka-1:9093", "--command-config", "admin.properties",
        ])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.first == "# notifier: User:notifier")
        let prefix = "kafka-acls.sh --bootstrap-server kafka-1:9093 --command-config admin.properties --add --allow-principal User:notifier"
        #expect(run.output.dropFirst().allSatisfy { $0.hasPrefix(prefix) }, "\(run.output)")
        #expect(run.output.contains("\(prefix) --operation Read --group notifier"))
        #expect(run.output.contains("\(prefix) --operation Write --topic notifier.dlt"))
    }

    @Test("an agent with no executable, or one that cannot describe itself, is one line and exit 1")
    func failures() async throws {
        let missing = try await CLIRun.agentbus(["topics", "acl", "--agent", "no-such-agent"])
        #expect(missing.status == 1)
        #expect(missing.errors.count == 1)
        #expect(missing.errors.first?.contains("no executable named no-such-agent") == true, "\(missing.errors)")
        #expect(missing.errors.first?.contains("--executable PATH") == true, "\(missing.errors)")
        // The supervisor is no AgentCommand: it has no --describe.
        let supervisor = try await CLIRun.agentbus(["topics", "acl", "--agent", "supervisor"])
        #expect(supervisor.status == 1)
        #expect(supervisor.errors.count == 1)
        #expect(supervisor.errors.first?.contains("is no AgentCommand agent") == true, "\(supervisor.errors)")
        // The explainer needs its model's address to start, and says so.
        let explainer = try ChildProcess(
            ["topics", "acl", "--agent", "explainer"], removingEnvironment: ["AGENTBUS_MODEL_URL"], capturingStandardError: true)
        #expect(await explainer.waitForExit() == 1)
        #expect(explainer.errorLines.count == 1)
        #expect(explainer.errorLines.first?.contains("AGENTBUS_MODEL_URL") == true, "\(explainer.errorLines)")
    }
}
