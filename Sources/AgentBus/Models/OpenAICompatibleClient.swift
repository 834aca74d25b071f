import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A ``ModelClient`` for the OpenAI-compatible chat completions API (`POST <base>/chat/completions`),
/// which OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp's server and LM Studio all serve.
///
/// HTTP goes through Foundation's `URLSession` (FoundationNetworking on Linux, part of the Swift
/// toolchain), so the client costs no package build; one request at a time per call, which is
/// what a handler needs.
///
/// ```swift
/// let client = OpenAICompatibleClient(
///     configuration: .init(baseURL: URL(string: "http://127.0.0.1:8765/v1")!, model: "smollm2-135m"))
/// let answer = try await client.complete(ChatRequest(messages: [.user("Say hello.")], maxTokens: 20))
/// ```
public struct OpenAICompatibleClient: ModelClient {
    public struct Configuration: Sendable, Hashable {
        /// The API's base, up to and including its version (`https://api.openai.com/v1`,
        /// `http://localhost:11434/v1` for Ollama).
        public var baseURL: URL
        /// The model asked when a request names none.
        public var model: String
        /// Sent as `Authorization: Bearer <key>`; nil for a local server without keys.
        public var apiKey: ModelAPIKey?
        /// How long one call may take, answer included.
        public var timeout: Duration

        public init(baseURL: URL, model: String, apiKey: ModelAPIKey? = nil, timeout: Duration = .seconds(60)) {
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
            self.timeout = timeout
        }
    }

    public let configuration: Configuration
    public var defaultModel: String { configuration.model }
    /// `host:port` of the base URL, so every client of one server shares its rate limits.
    public var endpoint: String {
        let url = configuration.baseURL
        return "\(url.host ?? url.absoluteString)\(url.port.map { ":\($0)" } ?? "")"
    }
    private let session: URLSession

    public init(configuration: Configuration) {
        self.configuration = configuration
        // FoundationNetworking rounds its timeouts down to whole seconds: they are only a
        // backstop here, a second past the client's own (see `send`).
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = Self.seconds(configuration.timeout).rounded(.up) + 1
        sessionConfiguration.timeoutIntervalForResource = Self.seconds(configuration.timeout).rounded(.up) + 1
        // URLSession's default of 6 connections per host capped a handler pool of any size at
        // 6 calls in flight (about 110 calls/s at 50 ms a call): one per concurrent handler.
        sessionConfiguration.httpMaximumConnectionsPerHost = 64
        session = URLSession(configuration: sessionConfiguration)
    }

    public func complete(_ request: ChatRequest) async throws(ModelError) -> ChatResponse {
        let body = try Self.body(of: request, defaultModel: configuration.model)
        var http = URLRequest(url: configuration.baseURL.appendingPathComponent("chat/completions"))
        http.httpMethod = "POST"
        http.timeoutInterval = Self.seconds(configuration.timeout).rounded(.up) + 1
        http.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key = configuration.apiKey { http.setValue("Bearer \(key.value)", forHTTPHeaderField: "Authorization") }
        http.httpBody = body

        let start = ContinuousClock.now
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await send(http)
        } catch {
            throw Self.transportError(error, timeout: configuration.timeout)
        }
        let latency = ContinuousClock.now - start
        guard let status = (response as? HTTPURLResponse)?.statusCode else {
            throw ModelError(.invalidResponse, "no HTTP response from \(configuration.baseURL.absoluteString)")
        }
        guard (200..<300).contains(status) else {
            throw Self.statusError(status, data: data, retryAfter: (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Retry-After"))
        }
        let completion: Completion
        do {
            completion = try JSONDecoder().decode(Completion.self, from: data)
        } catch {
            throw ModelError(.invalidResponse, "the answer is not a chat completion: \(error)".oneLine, status: status)
        }
        guard let choice = completion.choices?.first else {
            throw ModelError(.invalidResponse, "the answer has no choices", status: status)
        }
        return ChatResponse(
            content: choice.message.content ?? "", finishReason: choice.finish_reason,
            model: completion.model ?? request.model ?? configuration.model,
            usage: ModelUsage(
                inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0),
            latency: latency,
            toolCalls: (choice.message.tool_calls ?? []).map {
                ChatToolCall(id: $0.id, name: $0.function.name, arguments: $0.function.arguments)
            })
    }

    // MARK: The wire format

    /// The request body: `model`, `messages`, `temperature`, `max_tokens`, `response_format`
    /// (`json_schema`) for structured output, and `tools` (type `function`) with `tool_choice`.
    static func body(of request: ChatRequest, defaultModel: String) throws(ModelError) -> Data {
        var body: [String: Any] = [
            "model": request.model ?? defaultModel,
            "messages": request.messages.map(Self.wire),
        ]
        if let temperature = request.temperature { body["temperature"] = temperature }
        if let maxTokens = request.maxTokens { body["max_tokens"] = maxTokens }
        if let schema = request.responseSchema {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(schema.utf8)) else {
                throw ModelError(.badRequest, "the response schema is not JSON")
            }
            body["response_format"] = ["type": "json_schema", "json_schema": ["name": "response", "schema": parsed, "strict": true]]
        }
        if !request.tools.isEmpty {
            var tools: [[String: Any]] = []
            for tool in request.tools {
                guard let parameters = try? JSONSerialization.jsonObject(with: Data(tool.parameters.utf8)),
                    parameters is [String: Any]
                else {
                    throw ModelError(.badRequest, "the parameters of tool `\(tool.name)` are not a JSON object")
                }
                var function: [String: Any] = ["name": tool.name, "parameters": parameters]
                if !tool.description.isEmpty { function["description"] = tool.description }
                tools.append(["type": "function", "function": function])
            }
            body["tools"] = tools
            switch request.toolChoice {
            case .auto: break
            case .none: body["tool_choice"] = "none"
            case .required: body["tool_choice"] = "required"
            case .function(let name): body["tool_choice"] = ["type": "function", "function": ["name": name]]
            }
        }
        do {
            return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        } catch {
            throw ModelError(.badRequest, "the request cannot be encoded: \(error)".oneLine)
        }
    }

    /// One message as the API has it: an assistant turn's `tool_calls`, a tool result's
    /// `tool_call_id`, and `content` null for a turn that only calls tools.
    static func wire(_ message: ChatMessage) -> [String: Any] {
        var wire: [String: Any] = [
            "role": message.role.rawValue,
            "content": message.content.isEmpty && !message.toolCalls.isEmpty ? NSNull() as Any : message.content,
        ]
        if !message.toolCalls.isEmpty {
            wire["tool_calls"] = message.toolCalls.map { call in
                ["id": call.id, "type": "function", "function": ["name": call.name, "arguments": call.arguments]]
            }
        }
        if let callID = message.toolCallID { wire["tool_call_id"] = callID }
        return wire
    }

    private struct Completion: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                let content: String?
                let tool_calls: [ToolCall]?
            }
            struct ToolCall: Decodable {
                struct Function: Decodable {
                    let name: String
                    /// JSON text, as the API sends it (not a JSON object).
                    let arguments: String
                }
                let id: String
                let function: Function
            }
            let message: Message
            let finish_reason: String?
        }
        struct Usage: Decodable {
            let prompt_tokens: Int?
            let completion_tokens: Int?
        }
        /// Optional so that an answer without it is reported as having no choices.
        let choices: [Choice]?
        let model: String?
        let usage: Usage?
    }

    private struct ErrorBody: Decodable {
        struct Detail: Decodable { let message: String? }
        let error: Detail?
    }

    static func statusError(_ status: Int, data: Data, retryAfter: String?) -> ModelError {
        let providerMessage = (try? JSONDecoder().decode(ErrorBody.self, from: data))?.error?.message
            ?? String(decoding: data.prefix(200), as: UTF8.self)
        let message = providerMessage.isEmpty ? "HTTP \(status)" : providerMessage.oneLine
        switch status {
        case 429:
            return ModelError(.rateLimited, message, status: status, retryAfter: retryAfter.flatMap(Self.retryAfter))
        case 401, 403:
            return ModelError(.authentication, message, status: status)
        case 408:
            return ModelError(.timeout, message, status: status)
        case 400..<500:
            return ModelError(.badRequest, message, status: status)
        default:
            return ModelError(.overloaded, message, status: status)
        }
    }

    /// `Retry-After` in seconds (the form providers send), at most a day; an HTTP date, or a
    /// number that is not finite (`inf`), is not read.
    static func retryAfter(_ header: String) -> Duration? {
        guard let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds.isFinite, seconds >= 0 else {
            return nil
        }
        return .milliseconds(Int64(min(seconds, 86_400) * 1000))
    }

    /// The answer to `request`, or `URLError(.timedOut)` once the configured timeout has passed
    /// (the request is then cancelled).
    private func send(_ request: URLRequest) async throws -> (Data, URLResponse) {
        let session = session
        let timeout = configuration.timeout
        return try await withThrowingTaskGroup(of: (Data, URLResponse)?.self) { group in
            group.addTask { try await session.data(for: request) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let answer = try await group.next(), let answer else { throw URLError(.timedOut) }
            return answer
        }
    }

    /// A connection that breaks mid-answer (fewer bytes than its Content-Length) lands here too:
    /// URLSession reports it as an error before any decoding, so it is a transport failure, not
    /// an invalid response: the answer never arrived whole, and sending the request again may
    /// get it.
    static func transportError(_ error: any Error, timeout: Duration) -> ModelError {
        if let error = error as? URLError, error.code == .timedOut {
            return ModelError(.timeout, "no answer within \(timeout)")
        }
        return ModelError(.transport, "\(error.localizedDescription)".oneLine)
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
