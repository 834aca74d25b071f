import ArgumentParser
import Foundation

/// The command-line options of an agent that calls a model: where the OpenAI-compatible API is,
/// which model, how long to wait. Declare `@OptionGroup var model: ModelOptions` in the agent's
/// ``AgentCommand`` and make its client with ``client(environment:)``.
///
/// The API key is read from `$AGENTBUS_MODEL_API_KEY` (or the file `--model-api-key-file`
/// names), never from a flag, so it does not show in `ps` or shell history; it prints as
/// `<redacted>`.
public struct ModelOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp(
        "Base URL of the OpenAI-compatible API, e.g. https://api.openai.com/v1, http://localhost:11434/v1 (Ollama), http://127.0.0.1:8765/v1 (agentbus model-server). Default: $AGENTBUS_MODEL_URL.",
        valueName: "url"))
    public var modelUrl: String?

    @Option(name: .long, help: ArgumentHelp(
        "The model to ask. Default: $AGENTBUS_MODEL, then smollm2-135m (the model of agentbus model-server).",
        valueName: "name"))
    public var model: String?

    @Option(name: .long, help: ArgumentHelp(
        "Seconds to wait for an answer. Default: $AGENTBUS_MODEL_TIMEOUT, then 60.", valueName: "seconds"))
    public var modelTimeout: String?

    @Option(name: .long, help: ArgumentHelp(
        "A file holding the API key. Default: $AGENTBUS_MODEL_API_KEY_FILE; else the key is $AGENTBUS_MODEL_API_KEY, if set.",
        valueName: "file"))
    public var modelApiKeyFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "Requests a minute this instance may send to the model; calls wait their turn. Default: $AGENTBUS_MODEL_RPM, then no limit.",
        valueName: "n"))
    public var modelRpm: String?

    @Option(name: .long, help: ArgumentHelp(
        "Tokens (prompt and answer) a minute this instance may use. Default: $AGENTBUS_MODEL_TPM, then no limit.",
        valueName: "n"))
    public var modelTpm: String?

    public init() {}

    public func validate() throws {
        do {
            _ = try configuration(environment: [:], flagsOnly: true)
            _ = try rateLimit(environment: [:])
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// The client's configuration: each flag, else its environment variable, else the default.
    ///
    /// - Throws: ``AgentConfigurationError`` when no URL is given, or a value is not valid.
    public func configuration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> OpenAICompatibleClient.Configuration {
        try configuration(environment: environment, flagsOnly: false)
    }

    /// With `flagsOnly`, checks the flags' values only: the URL may still come from a variable.
    private func configuration(
        environment: [String: String], flagsOnly: Bool
    ) throws(AgentConfigurationError) -> OpenAICompatibleClient.Configuration {
        let urlText = Self.value(modelUrl, "AGENTBUS_MODEL_URL", environment)
        let url: URL
        if let urlText {
            guard let parsed = URL(string: urlText), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
                parsed.host != nil
            else {
                throw AgentConfigurationError("model URL must be an http or https URL, got \"\(urlText)\"")
            }
            url = parsed
        } else if flagsOnly {
            url = URL(string: "http://127.0.0.1:8765/v1")!
        } else {
            throw AgentConfigurationError(
                "no model API: pass --model-url or set AGENTBUS_MODEL_URL (agentbus model-server prints one)")
        }
        var timeout = Duration.seconds(60)
        if let text = Self.value(modelTimeout, "AGENTBUS_MODEL_TIMEOUT", environment) {
            guard let seconds = Double(text), seconds > 0, seconds <= 3_600 else {
                throw AgentConfigurationError("model timeout must be a number of seconds above 0, got \"\(text)\"")
            }
            timeout = .milliseconds(Int64(seconds * 1000))
        }
        var key: ModelAPIKey?
        if let file = Self.value(modelApiKeyFile, "AGENTBUS_MODEL_API_KEY_FILE", environment) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw AgentConfigurationError("cannot read the model API key file \(file)")
            }
            key = ModelAPIKey(text.trimmingCharacters(in: .whitespacesAndNewlines))
        } else if let text = environment["AGENTBUS_MODEL_API_KEY"], !text.isEmpty {
            key = ModelAPIKey(text)
        }
        return OpenAICompatibleClient.Configuration(
            baseURL: url, model: Self.value(model, "AGENTBUS_MODEL", environment) ?? "smollm2-135m", apiKey: key,
            timeout: timeout)
    }

    /// The rate limit of `--model-rpm` and `--model-tpm` (or their variables); nil when neither is set.
    public func rateLimit(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> RateLimit? {
        func limit(_ flag: String?, _ variable: String, _ what: String) throws(AgentConfigurationError) -> Int? {
            guard let text = Self.value(flag, variable, environment) else { return nil }
            guard let value = Int(text), value >= 1 else {
                throw AgentConfigurationError("\(what) must be a whole number of at least 1, got \"\(text)\"")
            }
            return value
        }
        let requests = try limit(modelRpm, "AGENTBUS_MODEL_RPM", "model requests a minute")
        let tokens = try limit(modelTpm, "AGENTBUS_MODEL_TPM", "model tokens a minute")
        guard requests != nil || tokens != nil else { return nil }
        return RateLimit(requestsPerMinute: requests, tokensPerMinute: tokens)
    }

    /// A client configured by ``configuration(environment:)``, paced by the pool of its endpoint
    /// and model in `pools` when a rate limit is set. On 429s it waits out the provider's
    /// `Retry-After` for up to 10 s, then lets the error through: the runtime then waits (the
    /// partition paused) without counting a failed attempt (``AgentPolicies/maxThrottleWait``).
    /// Make one `pools` per process, so every client of the instance shares its pools.
    public func client(
        pools: RateLimitPools = RateLimitPools(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> any ModelClient {
        let client = OpenAICompatibleClient(configuration: try configuration(environment: environment))
        guard let limit = try rateLimit(environment: environment) else { return client }
        return RateLimitedModelClient(client, limit: limit, pools: pools, maxWait: .seconds(10))
    }

    private static func value(_ flag: String?, _ variable: String, _ environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }
}
