import AgentBus
import ArgumentParser
import LoanEvents

/// The intake executable: the runtime's options, the intake rules' settings, and the loan
/// schemas built in.
@main
struct IntakeCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Normalizes and validates submitted loan applications and decides the checks each needs.",
        discussion: """
            Reads dev.agentbus.loan.application.submitted.v1 (topic loan.intake) and publishes \
            dev.agentbus.loan.application.received.v1 with requiredChecks: documents when any were \
            uploaded, credit always, fraud unless a branch application is at most the fraud \
            exemption limit. An application that breaks a rule (an amount not above 0, a currency \
            not lent in, an applicant under 18, a malformed ID or email, a term outside 6 to 360 \
            months) is dead-lettered to intake.dlt with every reason. Runs one instance until \
            SIGTERM or SIGINT; run more to share the work.
            """)

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @Option(help: ArgumentHelp(
        "Currencies lent in, comma-separated ISO 4217 codes. Default: $INTAKE_CURRENCIES, then EUR,GBP,SEK,USD.",
        valueName: "codes"))
    var currencies: String?

    @Option(help: ArgumentHelp(
        "Branch applications up to this amount skip the fraud check. Default: $INTAKE_BRANCH_FRAUD_EXEMPTION_LIMIT, then 25000.",
        valueName: "amount"))
    var branchFraudExemptionLimit: Double?

    @Option(help: ArgumentHelp(
        "Simulated time to take an application in, in milliseconds. Default: $INTAKE_LATENCY_MS, then 0.",
        valueName: "ms"))
    var latencyMs: Int?

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func makeAgent(services: inout AgentServices) async throws -> IntakeAgent {
        var normalizer = ApplicationNormalizer()
        if let list = try currencies ?? AgentEnvironment.value("INTAKE_CURRENCIES", as: String.self) {
            let codes = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
            guard !codes.isEmpty, codes.allSatisfy({ $0.count == 3 && $0.allSatisfy { $0.isASCII && $0.isLetter } }) else {
                throw AgentConfigurationError("the currencies must be comma-separated three-letter codes, got \"\(list)\"")
            }
            normalizer.currencies = Set(codes)
        }
        let limit = try branchFraudExemptionLimit
            ?? AgentEnvironment.value("INTAKE_BRANCH_FRAUD_EXEMPTION_LIMIT", as: Double.self) ?? normalizer.branchFraudExemptionLimit
        guard limit >= 0 else { throw AgentConfigurationError("the branch fraud exemption limit must be 0 or more, got \(limit)") }
        normalizer.branchFraudExemptionLimit = limit
        let latency = try latencyMs ?? AgentEnvironment.value("INTAKE_LATENCY_MS", as: Int.self) ?? 0
        guard latency >= 0 else { throw AgentConfigurationError("the latency must be 0 or more milliseconds, got \(latency)") }
        return IntakeAgent(normalizer: normalizer, latency: .milliseconds(latency))
    }
}
