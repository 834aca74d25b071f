import AgentBus
import ArgumentParser
import LoanEvents

/// The risk-scorer executable: the runtime's options, one of its own, and the loan schemas built in.
@main
struct RiskScorerCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk-scorer",
        abstract: "Scores the risk of a loan from the applicant's credit report.",
        discussion: "Runs one instance of the risk-scorer agent until SIGTERM or SIGINT; run more to share the work.")

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @Option(help: ArgumentHelp(
        "Outstanding debt at which the debt factor reaches its cap. Default: $RISK_SCORER_DEBT_CEILING, then 100000.",
        valueName: "amount"))
    var debtCeiling: Double?

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func makeAgent(services: inout AgentServices) async throws -> RiskScorerAgent {
        let ceiling = try debtCeiling ?? AgentEnvironment.value("RISK_SCORER_DEBT_CEILING", as: Double.self) ?? 100_000
        guard ceiling > 0 else { throw AgentConfigurationError("the debt ceiling must be above 0, got \(ceiling)") }
        return RiskScorerAgent(debtCeiling: ceiling)
    }
}
