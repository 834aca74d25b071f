import AgentBus
import Logging

extension AgentTester {
    /// A tester of `agent` with a catalog compiled into a module (``AgentBus/EmbeddedSchemas``),
    /// the one the agent's executable uses: `try AgentTester(Triage(), schemas: .triage)`.
    ///
    /// - Throws: `SchemaLoadError` when the embedded schemas do not load, and
    ///   ``AgentBus/AgentConfigurationError`` where the runtime would refuse the agent.
    public convenience init(
        _ agent: some Agent, schemas: EmbeddedSchemas, clock: ManualClock = ManualClock(), instance: String = "test",
        logger: Logger = Logger(label: "agentbus.testing", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        try self.init(agent, schemas: schemas.load(), clock: clock, instance: instance, logger: logger)
    }
}
