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

    public init() {}

    public func validate() throws {
        do { _ = try configuration(environment: [:], flagsOnly: true) } catch { throw ValidationError(error.message) }
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

    /// A client configured by ``configuration(environment:)``.
    public func client(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> OpenAICompatibleClient {
        OpenAICompatibleClient(configuration: try configuration(environment: environment))
    }

    private static func value(_ flag: String?, _ variable: String, _ environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }
}
