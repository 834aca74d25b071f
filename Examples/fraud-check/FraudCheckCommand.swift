import AgentBus
import ArgumentParser
import LoanEvents

/// The fraud-check executable: the runtime's options, the fault switches, and the loan schemas
/// built in.
@main
struct FraudCheckCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "fraud-check",
        abstract: "Screens loan applications for fraud and identity signals.",
        discussion: """
            Reads dev.agentbus.loan.application.received.v1 and, for each application whose \
            requiredChecks list "fraud", publishes dev.agentbus.loan.fraud.checked.v1 from fixed \
            rules. Fault switches for demos: --slow-applicants makes those applicants' screenings \
            take --slow-latency-ms (to miss a fan-in deadline); --transient-failure-rate makes that \
            share of events (chosen by their ID, so always the same ones) fail their first \
            --transient-failures attempts (to show retries); --handler-deadline-ms below the slow latency \
            makes slow screenings hang past their deadline (cancelled, retried, dead-lettered). Runs one instance until SIGTERM or \
            SIGINT; run more to share the work.
            """)

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @Option(help: ArgumentHelp(
        "Simulated time of every screening, in milliseconds. Default: $FRAUD_CHECK_LATENCY_MS, then 0.", valueName: "ms"))
    var latencyMs: Int?

    @Option(help: ArgumentHelp(
        "Applicants whose screening is slow, comma-separated (CUS-118042,CUS-207315). Default: $FRAUD_CHECK_SLOW_APPLICANTS, then none.",
        valueName: "ids"))
    var slowApplicants: String?

    @Option(help: ArgumentHelp(
        "Time of a slow applicant's screening, in milliseconds. Default: $FRAUD_CHECK_SLOW_LATENCY_MS, then 20000.",
        valueName: "ms"))
    var slowLatencyMs: Int?

    @Option(help: ArgumentHelp(
        "Share of events, 0 to 1, that fail transiently, chosen by event ID. Default: $FRAUD_CHECK_TRANSIENT_FAILURE_RATE, then 0.",
        valueName: "rate"))
    var transientFailureRate: Double?

    @Option(help: ArgumentHelp(
        "Attempts of a chosen event that fail before one succeeds. Default: $FRAUD_CHECK_TRANSIENT_FAILURES, then 2.",
        valueName: "count"))
    var transientFailures: Int?

    @Option(help: ArgumentHelp(
        "The handler deadline, in milliseconds: a screening still running then is cancelled and retried (set it below --slow-latency-ms to make slow screenings hang past it). Default: $FRAUD_CHECK_HANDLER_DEADLINE_MS, then the slow latency plus 10 s, at least 30 s.",
        valueName: "ms"))
    var handlerDeadlineMs: Int?

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func makeAgent(services: inout AgentServices) async throws -> FraudCheckAgent {
        var faults = FraudCheckFaults()
        let latency = try latencyMs ?? AgentEnvironment.value("FRAUD_CHECK_LATENCY_MS", as: Int.self) ?? 0
        let slowLatency = try slowLatencyMs ?? AgentEnvironment.value("FRAUD_CHECK_SLOW_LATENCY_MS", as: Int.self) ?? 20_000
        guard latency >= 0, slowLatency >= 0 else {
            throw AgentConfigurationError("latencies must be 0 or more milliseconds, got \(latency) and \(slowLatency)")
        }
        faults.latency = .milliseconds(latency)
        faults.slowLatency = .milliseconds(slowLatency)
        let slow = try slowApplicants ?? AgentEnvironment.value("FRAUD_CHECK_SLOW_APPLICANTS", as: String.self) ?? ""
        faults.slowApplicants = Set(slow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
        let rate = try transientFailureRate ?? AgentEnvironment.value("FRAUD_CHECK_TRANSIENT_FAILURE_RATE", as: Double.self) ?? 0
        guard (0...1).contains(rate) else { throw AgentConfigurationError("the transient failure rate must be 0 to 1, got \(rate)") }
        faults.transientFailureRate = rate
        let failures = try transientFailures ?? AgentEnvironment.value("FRAUD_CHECK_TRANSIENT_FAILURES", as: Int.self) ?? 2
        guard failures >= 1 else { throw AgentConfigurationError("the transient failures must be 1 or more, got \(failures)") }
        faults.transientFailures = failures
        if let deadline = try handlerDeadlineMs ?? AgentEnvironment.value("FRAUD_CHECK_HANDLER_DEADLINE_MS", as: Int.self) {
            guard deadline >= 1 else { throw AgentConfigurationError("the handler deadline must be 1 ms or more, got \(deadline)") }
            faults.handlerDeadline = .milliseconds(deadline)
        }
        return FraudCheckAgent(screener: RuleBasedFraudScreener(), faults: faults)
    }
}
