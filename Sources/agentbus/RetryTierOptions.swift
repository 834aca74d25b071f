import AgentBus
import AgentBusReplay
import ArgumentParser

/// `--retry-delays`: which retry topics the commands that create an agent's topics create, one
/// per delay tier (`<agent>.retry.<delay>`). The CLI cannot see an agent's retry policy, so the
/// delays are given here; the default is ``RetryPolicy``'s.
struct RetryTierOptions: ParsableArguments {
    static let defaultDelays = RetryPolicy().retryTopicDelays.map(AgentTopics.retryDelayName).joined(separator: ",")

    @Option(name: .long, help: ArgumentHelp(
        "The --agent agents' retry-topic delays (their RetryPolicy.retryTopicDelays), comma-separated, such as "
            + "10s,60s or 500ms: one <agent>.retry.<delay> topic per distinct delay. `none` for agents without "
            + "(they still read <agent>.retry.0s, for redriven dead letters).", valueName: "delays"))
    var retryDelays: String = Self.defaultDelays

    func validate() throws {
        _ = try delays()
    }

    /// The delays given, in milliseconds.
    func delays() throws -> [Duration] {
        if retryDelays == "none" { return [] }
        return try retryDelays.split(separator: ",", omittingEmptySubsequences: false).map { item in
            guard let milliseconds = ReplayDurationText.milliseconds(String(item)) else {
                throw ValidationError("--retry-delays takes delays such as 10s,60s or 500ms, or none; got \"\(item)\"")
            }
            return .milliseconds(milliseconds)
        }
    }

    /// The retry topics of `agent` for the delays given, shortest delay first.
    func topics(of agent: String) throws -> [String] {
        AgentTopics.retryTiers(of: agent, delays: try delays())
    }
}
