@testable import AgentBus
import Testing

@Suite("Agent configuration from flags and environment")
struct AgentRuntimeConfigurationTests {
    func resolve(_ arguments: [String], _ environment: [String: String] = [:]) throws -> AgentRuntimeConfiguration {
        guard case .run(let configuration) = try AgentRuntimeConfiguration.resolve(arguments: arguments, environment: environment)
        else { throw AgentConfigurationError("not a run request") }
        return configuration
    }

    @Test("flags win over the environment, which wins over defaults")
    func precedence() throws {
        let environment = [
            "AGENTBUS_BROKERS": "env:9092", "AGENTBUS_INSTANCE_ID": "env-1", "AGENTBUS_CONCURRENCY": "4",
            "AGENTBUS_SCHEMAS": "/env/schemas",
        ]
        let fromEnvironment = try resolve([], environment)
        #expect(fromEnvironment.brokers.bootstrapServers == ["env:9092"])
        #expect(fromEnvironment.instanceID == "env-1")
        #expect(fromEnvironment.concurrency == 4)
        #expect(fromEnvironment.schemas.path == "/env/schemas")

        let fromFlags = try resolve(
            ["--brokers", "a:1,b:2", "--instance-id=flag-1", "--concurrency", "9", "--schemas", "/flag",
             "-X", "fetch.wait.max.ms=1", "--heartbeat-interval", "0.5"], environment)
        #expect(fromFlags.brokers.bootstrapServers == ["a:1", "b:2"])
        #expect(fromFlags.instanceID == "flag-1")
        #expect(fromFlags.concurrency == 9)
        #expect(fromFlags.schemas.path == "/flag")
        #expect(fromFlags.properties == ["fetch.wait.max.ms": "1"])
        #expect(fromFlags.heartbeatInterval == .milliseconds(500))
    }

    @Test("--help asks for the usage")
    func help() throws {
        guard case .help = try AgentRuntimeConfiguration.resolve(arguments: ["--concurrency", "2", "-h"], environment: [:])
        else { Issue.record("expected help"); return }
        #expect(AgentRuntimeConfiguration.usage(agent: "credit-check").contains("--instance-id"))
    }

    @Test("bad input is one clear error naming the flag", arguments: [
        (["--nope"], "unknown option --nope"),
        (["--concurrency"], "--concurrency needs a value"),
        (["--concurrency", "0"], "concurrency must be a whole number of at least 1"),
        (["-X", "novalue"], "-X takes key=value"),
        (["--heartbeat-interval", "-1"], "heartbeat interval must be a number of seconds above 0"),
    ])
    func errors(arguments: [String], message: String) {
        #expect {
            _ = try AgentRuntimeConfiguration.resolve(arguments: arguments, environment: [:])
        } throws: { error in
            (error as? AgentConfigurationError)?.message.hasPrefix(message) == true
        }
    }

    @Test("agent names are checked: they name a group and topics")
    func agentNames() {
        #expect(AgentTopics.problem(withAgentName: "credit-check") == nil)
        #expect(AgentTopics.problem(withAgentName: "") != nil)
        #expect(AgentTopics.problem(withAgentName: "Credit") != nil)
        #expect(AgentTopics.problem(withAgentName: "9lives") != nil)
        #expect(AgentTopics.problem(withAgentName: "a.b") != nil)
        #expect(AgentTopics.retry(of: "credit-check") == "credit-check.retry")
        #expect(AgentTopics.deadLetter(of: "credit-check") == "credit-check.dlt")
    }
}
