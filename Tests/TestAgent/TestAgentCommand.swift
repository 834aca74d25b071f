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

    @Option(help: ArgumentHelp(
        "worker, sink, ping, pong, fanout, left, right, timer, slow or effects. Default: $AGENTBUS_TEST_ROLE, then worker.", valueName: "role"))
    var role: String?

    func makeAgent(services: inout AgentServices) async throws -> TestAgent {
        let environment = ProcessInfo.processInfo.environment
        let role = try role ?? AgentEnvironment.value("AGENTBUS_TEST_ROLE", as: String.self) ?? "worker"
        return TestAgent(role: role, environment: environment)
    }
}
