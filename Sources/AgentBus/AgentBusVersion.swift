/// The version of AgentBus, as `agentbus --version` prints it.
public enum AgentBusVersion {
    public static let current = "0.1.0"
}
