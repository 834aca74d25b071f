import Testing

/// Agents as real processes on the embedded cluster (a dev-broker process): the example agents
/// and the test agent (`agentbus-test-agent`, its role and policies chosen by environment) run
/// as their own executables, the test publishes their inputs and reads what they wrote.
///
/// Serialized, nested suites included: each test runs its own dev-broker and agents, and two at
/// once would only compete for the cores.
@Suite("Agent runtime, agents as processes", .serialized, .timeLimit(.minutes(3)))
struct AgentRuntimeTests {}
