import AgentBus
import ArgumentParser
import LoanEvents

/// The document-extraction executable: the runtime's options, a latency switch, and the loan
/// schemas built in.
@main
struct DocumentExtractionCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "document-extraction",
        abstract: "Reads the documents uploaded with a loan application and extracts employment and income.",
        discussion: """
            Reads dev.agentbus.loan.application.received.v1 and, for each application whose \
            requiredChecks list "documents", publishes dev.agentbus.loan.documents.extracted.v1. \
            The reader is a deterministic stand-in: the same documents always give the same \
            figures. Runs one instance until SIGTERM or SIGINT; run more to share the work.
            """)

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @Option(help: ArgumentHelp(
        "Simulated reading time per page, in milliseconds. Default: $DOCUMENT_EXTRACTION_LATENCY_PER_PAGE_MS, then 0.",
        valueName: "ms"))
    var latencyPerPageMs: Int?

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func makeAgent(services: inout AgentServices) async throws -> DocumentExtractionAgent {
        let latency = try latencyPerPageMs ?? AgentEnvironment.value("DOCUMENT_EXTRACTION_LATENCY_PER_PAGE_MS", as: Int.self) ?? 0
        guard latency >= 0 else { throw AgentConfigurationError("the latency per page must be 0 or more milliseconds, got \(latency)") }
        return DocumentExtractionAgent(reader: SimulatedDocumentReader(), latencyPerPage: .milliseconds(latency))
    }
}
