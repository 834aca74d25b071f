/// Why a model call failed, classed for the runtime's retry policy: a handler that lets one
/// through is retried when ``isRetryable`` (rate limited, overloaded, timed out, unreachable) and
/// dead-lettered at once otherwise (a bad request or bad credentials, which no retry fixes).
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// 429: too many requests or tokens; ``retryAfter`` says when to try again, if the
        /// provider said.
        case rateLimited = "rate-limited"
        /// 5xx or 529: the provider cannot serve now.
        case overloaded
        /// 400, 404, 422: the request is wrong (an unknown model, a malformed schema).
        case badRequest = "bad-request"
        /// 401, 403: the key is missing, wrong or not allowed.
        case authentication
        /// No answer within the client's timeout.
        case timeout
        /// No connection, or it broke (also mid-answer).
        case transport
        /// An answer that is not the API's (not JSON, no choices).
        case invalidResponse = "invalid-response"
    }

    public let kind: Kind
    /// One line: what happened, with the provider's own message when it gave one. Never the key
    /// or the prompt.
    public let message: String
    /// For ``Kind/rateLimited``: the provider's `Retry-After`.
    public let retryAfter: Duration?
    /// The HTTP status, when there was a response.
    public let status: Int?

    public init(_ kind: Kind, _ message: String, status: Int? = nil, retryAfter: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
    }

    /// Whether a later attempt may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .overloaded, .timeout, .transport, .invalidResponse: true
        case .badRequest, .authentication: false
        }
    }

    public var description: String {
        "model call failed (\(kind.rawValue)\(status.map { ", HTTP \($0)" } ?? "")): \(message)"
    }
}
