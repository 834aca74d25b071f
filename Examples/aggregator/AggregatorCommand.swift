import AgentBus
import ArgumentParser
import LoanEvents

/// The aggregator executable: the runtime's options, the collection deadline and what happens at
/// it, and the loan schemas built in.
@main
struct AggregatorCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregator",
        abstract: "Collects an application's checks into one assessment, with a deadline (fan-in).",
        discussion: """
            Reads dev.agentbus.loan.application.received.v1 (which names the checks the application \
            needs), the check results (credit.checked, fraud.checked, documents.extracted) and its \
            own deadline timer (assessment.due), and publishes dev.agentbus.loan.assessment.completed.v1 \
            once every check is in, or at the deadline: a partial assessment with what arrived \
            (--on-deadline partial, the default) or dev.agentbus.loan.assessment.failed.v1 (--on-deadline \
            fail, or whenever the credit report is missing). Pending collections are kept in the \
            agent's state topic (aggregator.state) and its timers in aggregator.timers, so a restart \
            loses nothing. Runs one instance until SIGTERM or SIGINT; run more to share the work.
            """)

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @Option(help: ArgumentHelp(
        "How long the checks have, from the application's arrival, in milliseconds. Default: $AGGREGATOR_DEADLINE_MS, then 10000.",
        valueName: "ms"))
    var deadlineMs: Int?

    @Option(help: ArgumentHelp(
        "At the deadline with checks missing: partial (complete with what arrived) or fail. Default: $AGGREGATOR_ON_DEADLINE, then partial.",
        valueName: "policy"))
    var onDeadline: String?

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func makeAgent(services: inout AgentServices) async throws -> AggregatorAgent {
        let deadline = try deadlineMs ?? AgentEnvironment.value("AGGREGATOR_DEADLINE_MS", as: Int.self) ?? 10_000
        guard deadline > 0 else { throw AgentConfigurationError("the deadline must be above 0 ms, got \(deadline)") }
        let policyName = try onDeadline ?? AgentEnvironment.value("AGGREGATOR_ON_DEADLINE", as: String.self) ?? "partial"
        let policy: FanIn<CheckResult>.DeadlinePolicy
        switch policyName {
        case "partial": policy = .completePartial
        case "fail": policy = .fail
        default: throw AgentConfigurationError("--on-deadline must be partial or fail, got \"\(policyName)\"")
        }
        return AggregatorAgent(deadline: .milliseconds(deadline), onDeadline: policy)
    }
}
