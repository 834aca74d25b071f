import AgentBus
import ArgumentParser
import Foundation
import LoanEvents

/// The notifier executable: the runtime's options, the channel and locale, and the loan schemas
/// built in.
@main
struct NotifierCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifier",
        abstract: "Tells applicants how their loan application ended: the workflow's last step.",
        discussion: """
            Reads dev.agentbus.loan.decision.made.v1 (those that need no human approval: the decision \
            agent's own, or its final decision after a person approved or rejected) and \
            dev.agentbus.loan.assessment.failed.v1, and publishes \
            dev.agentbus.loan.notification.sent.v1, keyed by applicant. The provider is simulated; each send is \
            journaled in notifier.journal, so an event handled again is not sent again. \
            Runs one instance until SIGTERM or SIGINT; run more to share the work.
            """)

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions

    @Option(help: ArgumentHelp(
        "The channel: email, sms or letter. Default: $NOTIFIER_CHANNEL, then email.", valueName: "channel"))
    var channel: String?

    @Option(help: ArgumentHelp(
        "The messages' language, a BCP 47 language-region tag. Default: $NOTIFIER_LOCALE, then en-GB.", valueName: "tag"))
    var locale: String?

    @Option(help: ArgumentHelp(
        "Simulated time for the provider to accept a message, in milliseconds. Default: $NOTIFIER_PROVIDER_LATENCY_MS, then 0.",
        valueName: "ms"))
    var providerLatencyMs: Int?

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func makeAgent(services: inout AgentServices) async throws -> NotifierAgent {
        var composer = NotificationComposer()
        if let text = try channel ?? AgentEnvironment.value("NOTIFIER_CHANNEL", as: String.self) {
            guard let channel = NotificationSent.Channel(rawValue: text.lowercased()) else {
                throw AgentConfigurationError("the channel must be one of email, sms, letter, got \"\(text)\"")
            }
            composer.channel = channel
        }
        if let tag = try locale ?? AgentEnvironment.value("NOTIFIER_LOCALE", as: String.self) {
            guard tag.wholeMatch(of: /[a-z]{2}-[A-Z]{2}/) != nil else {
                throw AgentConfigurationError("the locale must be a language-region tag such as en-GB, got \"\(tag)\"")
            }
            composer.locale = tag
        }
        let latency = try providerLatencyMs ?? AgentEnvironment.value("NOTIFIER_PROVIDER_LATENCY_MS", as: Int.self) ?? 0
        guard latency >= 0 else { throw AgentConfigurationError("the latency must be 0 or more milliseconds, got \(latency)") }
        return NotifierAgent(composer: composer, provider: SimulatedNotificationProvider(latency: .milliseconds(latency)))
    }
}
