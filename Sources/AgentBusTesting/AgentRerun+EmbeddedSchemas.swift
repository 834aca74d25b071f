import AgentBus
import Logging

extension AgentRerun {
    /// A rerun of `agent` with a catalog compiled into a module (``AgentBus/EmbeddedSchemas``),
    /// the one the agent's executable uses: `try AgentRerun(RiskScorer(), schemas: .loanEvents)`.
    ///
    /// - Throws: `SchemaLoadError` when the embedded schemas do not load, and
    ///   ``AgentBus/AgentConfigurationError`` where the runtime would refuse the agent.
    public init(
        _ agent: some Agent, schemas: EmbeddedSchemas,
        logger: Logger = Logger(label: "agentbus.rerun", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        try self.init(agent, schemas: schemas.load(), logger: logger)
    }
}
