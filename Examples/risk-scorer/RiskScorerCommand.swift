import AgentBus
import ArgumentParser
import LoanEvents

/// The risk-scorer executable: the runtime's options, the model's setting, and the loan schemas built in.
@main
struct RiskScorerCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk-scorer",
        abstract: "Scores the risk of a loan from its assessment: the credit, fraud and document results.",
        discussion: """
            Reads dev.agentbus.loan.assessment.completed.v1 and publishes \
            dev.agentbus.loan.risk.scored.v1 from a toy model (risk-v4). A partial assessment \
            scores more cautiously: a required check that did not come in adds to the risk. Runs \
            one instance until SIGTERM or SIGINT; run more to share the work.
            """)

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @Option(help: ArgumentHelp(
        "Outstanding debt at which the debt factor reaches its cap. Default: $RISK_SCORER_DEBT_CEILING, then 100000.",
        valueName: "amount"))
    var debtCeiling: Double?

    @Option(help: ArgumentHelp(
        "Simulated scoring time, in milliseconds. Default: $RISK_SCORER_LATENCY_MS, then 0.", valueName: "ms"))
    var latencyMs: Int?

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func makeAgent(services: inout AgentServices) async throws -> RiskScorerAgent {
        let ceiling = try debtCeiling ?? AgentEnvironment.value("RISK_SCORER_DEBT_CEILING", as: Double.self) ?? 100_000
        guard ceiling > 0 else { throw AgentConfigurationError("the debt ceiling must be above 0, got \(ceiling)") }
        let latency = try latencyMs ?? AgentEnvironment.value("RISK_SCORER_LATENCY_MS", as: Int.self) ?? 0
        guard latency >= 0 else { throw AgentConfigurationError("the latency must be 0 or more milliseconds, got \(latency)") }
        return RiskScorerAgent(model: AssessmentRiskModel(debtCeiling: ceiling), latency: .milliseconds(latency))
    }
}
