import AgentBus
import ArgumentParser
import Foundation
import LoanEvents

/// The decision executable: the runtime's options, the lending policy's thresholds, and the loan
/// schemas built in.
@main
struct DecisionCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "decision",
        abstract: "Approves, declines or refers scored loan applications within its lending authority.",
        discussion: """
            Reads dev.agentbus.loan.risk.scored.v1 and publishes dev.agentbus.loan.decision.made.v1. \
            Grades up to --approve-up-to-grade are approved, from --decline-from-grade declined, \
            those between referred to an underwriter. An approval above --authority requires \
            human approval: it also publishes dev.agentbus.loan.approval.requested.v1 for the \
            lowest role whose limit covers the amount (underwriter up to --underwriter-limit, \
            senior underwriter up to --senior-underwriter-limit, else the credit committee), due \
            --approval-timeout-seconds later. Amounts are compared as numbers, whatever the \
            currency. Runs one instance until SIGTERM or SIGINT; run more to share the work.
            """)

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @Option(help: ArgumentHelp(
        "The most approved without a person. Default: $DECISION_AUTHORITY, then 150000.", valueName: "amount"))
    var authority: Double?

    @Option(help: ArgumentHelp(
        "The worst risk grade approved (A to E). Default: $DECISION_APPROVE_UP_TO_GRADE, then B.", valueName: "grade"))
    var approveUpToGrade: String?

    @Option(help: ArgumentHelp(
        "The best risk grade declined (A to E). Default: $DECISION_DECLINE_FROM_GRADE, then D.", valueName: "grade"))
    var declineFromGrade: String?

    @Option(help: ArgumentHelp(
        "The most an underwriter approves. Default: $DECISION_UNDERWRITER_LIMIT, then 200000.", valueName: "amount"))
    var underwriterLimit: Double?

    @Option(help: ArgumentHelp(
        "The most a senior underwriter approves; above, the credit committee. Default: $DECISION_SENIOR_UNDERWRITER_LIMIT, then 1000000.",
        valueName: "amount"))
    var seniorUnderwriterLimit: Double?

    @Option(help: ArgumentHelp(
        "How long an approver has before the request escalates. Default: $DECISION_APPROVAL_TIMEOUT_SECONDS, then 60.",
        valueName: "seconds"))
    var approvalTimeoutSeconds: Int?

    @Option(help: ArgumentHelp(
        "When an approval request expires undecided: escalate (to the next role up; decline above the highest) or decline. Default: $DECISION_ON_APPROVAL_TIMEOUT, then escalate.",
        valueName: "policy"))
    var onApprovalTimeout: String?

    @Option(help: ArgumentHelp(
        "Simulated time to decide, in milliseconds. Default: $DECISION_LATENCY_MS, then 0.", valueName: "ms"))
    var latencyMs: Int?

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func makeAgent(services: inout AgentServices) async throws -> DecisionAgent {
        var policy = LendingPolicy()
        policy.authority = try authority ?? AgentEnvironment.value("DECISION_AUTHORITY", as: Double.self) ?? policy.authority
        policy.approveUpToGrade = try Self.grade(
            approveUpToGrade ?? AgentEnvironment.value("DECISION_APPROVE_UP_TO_GRADE", as: String.self), "approve-up-to",
            default: policy.approveUpToGrade)
        policy.declineFromGrade = try Self.grade(
            declineFromGrade ?? AgentEnvironment.value("DECISION_DECLINE_FROM_GRADE", as: String.self), "decline-from",
            default: policy.declineFromGrade)
        policy.underwriterLimit = try underwriterLimit
            ?? AgentEnvironment.value("DECISION_UNDERWRITER_LIMIT", as: Double.self) ?? policy.underwriterLimit
        policy.seniorUnderwriterLimit = try seniorUnderwriterLimit
            ?? AgentEnvironment.value("DECISION_SENIOR_UNDERWRITER_LIMIT", as: Double.self) ?? policy.seniorUnderwriterLimit
        let timeout = try approvalTimeoutSeconds ?? AgentEnvironment.value("DECISION_APPROVAL_TIMEOUT_SECONDS", as: Int.self) ?? 60
        policy.approvalTimeout = .seconds(timeout)
        if let problem = policy.problem { throw AgentConfigurationError(problem) }
        let latency = try latencyMs ?? AgentEnvironment.value("DECISION_LATENCY_MS", as: Int.self) ?? 0
        guard latency >= 0 else { throw AgentConfigurationError("the latency must be 0 or more milliseconds, got \(latency)") }
        let timeoutPolicyName = try onApprovalTimeout ?? AgentEnvironment.value("DECISION_ON_APPROVAL_TIMEOUT", as: String.self) ?? "escalate"
        guard let timeoutPolicy = ApprovalTimeoutPolicy(rawValue: timeoutPolicyName) else {
            throw AgentConfigurationError("--on-approval-timeout must be escalate or decline, got \"\(timeoutPolicyName)\"")
        }
        return DecisionAgent(policy: policy, onApprovalTimeout: timeoutPolicy, latency: .milliseconds(latency))
    }

    /// `text` as a grade (any case), or `default` when nil.
    static func grade(_ text: String?, _ option: String, default: RiskScored.Grade) throws -> RiskScored.Grade {
        guard let text else { return `default` }
        guard let grade = RiskScored.Grade(rawValue: text.trimmingCharacters(in: .whitespaces).uppercased()) else {
            throw AgentConfigurationError("the \(option) grade must be one of A, B, C, D, E, got \"\(text)\"")
        }
        return grade
    }
}
