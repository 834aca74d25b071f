import AgentBus
import ArgumentParser
import Foundation

/// The test agent's executable. Its role is `--role`, else `$AGENTBUS_TEST_ROLE` (how the process
/// tests choose it), else `worker`; its policies come from the environment (see ``TestAgent``).
@main
struct TestAgentCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentbus-test-agent", abstract: "The agent the runtime's integration tests run as processes.")

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @OptionGroup(title: "Model options (the chat-hop role)") var model: ModelOptions

    @Option(help: ArgumentHelp(
        "worker, sink, ping, pong, fanout, left, right, timer, slow, effects or chat-hop. Default: $AGENTBUS_TEST_ROLE, then worker.", valueName: "role"))
    var role: String?

    func makeAgent(services: inout AgentServices) async throws -> TestAgent {
        let environment = ProcessInfo.processInfo.environment
        let role = try role ?? AgentEnvironment.value("AGENTBUS_TEST_ROLE", as: String.self) ?? "worker"
        var agent = TestAgent(role: role, environment: environment)
        if role == "chat-hop" { agent.chatModel = try chatModel(environment: environment) }
        return agent
    }
}
