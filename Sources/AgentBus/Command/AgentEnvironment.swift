import ArgumentParser
import Foundation

/// Reads an agent's own settings from the environment, as the runtime reads its `AGENTBUS_*`
/// variables: an option's flag wins, then its variable, then its default.
///
/// ```swift
/// @Option(help: "Simulated bureau latency in ms. Default: $CREDIT_CHECK_BUREAU_LATENCY_MS, then 0.")
/// var bureauLatency: Int?
///
/// func makeAgent(services: inout AgentServices) async throws -> CreditCheckAgent {
///     let latency = try bureauLatency ?? AgentEnvironment.value("CREDIT_CHECK_BUREAU_LATENCY_MS", as: Int.self) ?? 0
///     ...
/// }
/// ```
///
/// A bad value thrown from ``AgentCommand/makeAgent(services:)`` is reported like a bad flag:
/// one line with the usage, exit status 64.
public enum AgentEnvironment {
    /// The value of `variable` as a `T`, or nil when it is unset or empty.
    ///
    /// - Throws: ``AgentConfigurationError`` naming the variable and the value, e.g.
    ///   `TRIAGE_THRESHOLD must be a Double, got "high"`.
    public static func value<T: ExpressibleByArgument>(
        _ variable: String, as type: T.Type = T.self,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> T? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let value = T(argument: text) else {
            let choices = T.allValueStrings
            let name = "\(T.self)"
            let article = name.first.map { "AEIOUaeiou".contains($0) } == true ? "an" : "a"
            let expected = choices.isEmpty ? "\(article) \(name)" : "one of \(choices.joined(separator: ", "))"
            throw AgentConfigurationError("\(variable) must be \(expected), got \"\(text)\"")
        }
        return value
    }
}
