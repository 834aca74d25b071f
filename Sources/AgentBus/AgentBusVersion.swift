public enum AgentBusVersion { public static let current = "0.1.0" }
