import AgentBus
import LoanEvents

/// The catalog the example agents run with: the loan schemas built into LoanEvents.
enum LoanCatalog {
    static let registry: SchemaRegistry = try! EmbeddedSchemas.loanEvents.load()
}
