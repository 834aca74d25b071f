import AgentBus
import Foundation

let environment = ProcessInfo.processInfo.environment
await AgentMain.run(TestAgent(role: environment["AGENTBUS_TEST_ROLE"] ?? "worker", environment: environment))
