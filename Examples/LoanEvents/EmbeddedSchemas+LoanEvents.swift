import AgentBus

extension EmbeddedSchemas {
    /// The loan workflow's schemas (the repository's `schemas/`, which `Examples/LoanEvents/schemas`
    /// links to), built into every executable that links LoanEvents: an agent that returns them
    /// from ``AgentCommand/embeddedSchemas`` finds its catalog from any working directory.
    public static let loanEvents: EmbeddedSchemas = .module
}
