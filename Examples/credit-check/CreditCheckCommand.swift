import AgentBus
import ArgumentParser
import LoanEvents

/// The credit-check executable: the runtime's options, one of its own, and the loan schemas
/// built in, so it runs from any directory.
@main
struct CreditCheckCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit-check",
        abstract: "Pulls the applicant's credit report for each loan application that requires a credit check.",
        discussion: "Runs one instance of the credit-check agent until SIGTERM or SIGINT; run more to share the work.")

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @Option(help: ArgumentHelp(
        "Simulated latency of the credit bureau, in milliseconds. Default: $CREDIT_CHECK_BUREAU_LATENCY_MS, then 0.",
        valueName: "ms"))
    var bureauLatency: Int?

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func validate() throws {
        if let bureauLatency, bureauLatency < 0 { throw ValidationError("--bureau-latency must be 0 or more, got \(bureauLatency)") }
    }

    func makeAgent(services: inout AgentServices) async throws -> CreditCheckAgent {
        let latency = try bureauLatency ?? AgentEnvironment.value("CREDIT_CHECK_BUREAU_LATENCY_MS", as: Int.self) ?? 0
        guard latency >= 0 else {
            throw AgentConfigurationError("CREDIT_CHECK_BUREAU_LATENCY_MS must be 0 or more, got \(latency)")
        }
        return CreditCheckAgent(bureau: CreditBureau(latency: .milliseconds(latency)))
    }
}
