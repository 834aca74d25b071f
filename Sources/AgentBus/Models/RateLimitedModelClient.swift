/// A ``ModelClient`` that paces another through a ``RateLimitPool`` and rides out the provider's
/// 429s, so a storm of rate-limited calls becomes calls spaced as the provider asks, instead of
/// handler failures and retries of whole events.
///
/// Each call:
/// 1. waits in the pool for a request and for its estimated tokens (``estimatedTokens(of:)``);
/// 2. calls the wrapped client, then settles the pool with the tokens the answer says it used
///    (the estimate stands when the provider reports no usage);
/// 3. on ``ModelError/Kind/rateLimited``, throttles the whole pool for the provider's
///    `Retry-After` (absent or zero: 1 s, doubling on each 429 of this call up to 30 s) and goes
///    back to 1, until ``maxWait`` from the call's start would be passed: then it throws the last
///    rate-limited error (having throttled the pool still, for the other callers).
///
/// Other errors pass through unchanged, and usage is settled as estimated, since the provider
/// may have worked on the request. The call goes through the pool's line however long it is;
/// what bounds that wait is the task's cancellation (a handler's deadline), which ends it at once
/// with a ``ModelError/Kind/rateLimited`` error: the last 429's, or one saying the call was
/// cancelled while waiting.
///
/// ```swift
/// let pools = RateLimitPools()
/// let provider = OpenAICompatibleClient(
///     configuration: .init(baseURL: URL(string: "http://127.0.0.1:8765/v1")!, model: "smollm2-135m"))
/// let model = RateLimitedModelClient(provider, limit: RateLimit(requestsPerMinute: 120), pools: pools)
/// ```
public struct RateLimitedModelClient: ModelClient {
    public let base: any ModelClient
    public let pool: RateLimitPool
    /// How long a call keeps trying again after 429s, from its start. Default: 2 minutes.
    public let maxWait: Duration

    /// The first wait after a 429 without `Retry-After`, and the most it doubles to.
    static let firstBackoff = Duration.seconds(1)
    static let longestBackoff = Duration.seconds(30)

    public var providerName: String { base.providerName }
    public var defaultModel: String { base.defaultModel }
    public var endpoint: String { base.endpoint }

    public init(_ base: any ModelClient, pool: RateLimitPool, maxWait: Duration = .seconds(120)) {
        self.base = base
        self.pool = pool
        self.maxWait = maxWait
    }

    /// An OpenAI-compatible client paced by the pool of its base URL and configured model in
    /// `pools`, made with `limit` if it is the first.
    public init(
        _ client: OpenAICompatibleClient, limit: RateLimit, pools: RateLimitPools, maxWait: Duration = .seconds(120)
    ) {
        self.init(client, pool: pools.pool(for: client.configuration, limit: limit), maxWait: maxWait)
    }

    public func complete(_ request: ChatRequest) async throws(ModelError) -> ChatResponse {
        let estimate = Self.estimatedTokens(of: request)
        let start = pool.now
        var backoff = Self.firstBackoff
        var lastRateLimited: ModelError?
        while true {
            do {
                try await pool.acquire(estimatedTokens: estimate)
            } catch {
                throw lastRateLimited ?? ModelError(.rateLimited, "cancelled while waiting for the model's rate limit")
            }
            do {
                let response = try await base.complete(request)
                let used = response.usage.inputTokens + response.usage.outputTokens
                pool.settle(estimatedTokens: estimate, actualTokens: used > 0 ? used : estimate)
                return response
            } catch {
                guard error.kind == .rateLimited else { throw error }
                // Refused, so nothing was used; the throttle below empties the bucket anyway.
                pool.settle(estimatedTokens: estimate, actualTokens: 0)
                let delay: Duration
                if let retryAfter = error.retryAfter, retryAfter > .zero {
                    delay = retryAfter
                } else {
                    delay = backoff
                    backoff = min(backoff * 2, Self.longestBackoff)
                }
                pool.throttle(for: delay)
                if pool.now + delay - start > maxWait { throw error }
                lastRateLimited = error
            }
        }
    }

    /// What a request may use, for the pool to wait for before it is sent: its prompt at about
    /// four characters a token (the messages and the response schema), plus the answer's
    /// ``ChatRequest/maxTokens`` (nothing when unset: the settled usage then counts the answer).
    /// Providers count a request against their token limit the same way when it arrives.
    public static func estimatedTokens(of request: ChatRequest) -> Int {
        let characters = request.messages.reduce(request.responseSchema?.count ?? 0) { $0 + $1.content.count }
        return (characters + 3) / 4 + max(0, request.maxTokens ?? 0)
    }
}
