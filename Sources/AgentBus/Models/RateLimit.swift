/// How fast calls to one model may go: requests and tokens per minute, as a provider states its
/// limits. A nil rate is not limited.
///
/// A ``RateLimitPool`` enforces it with token buckets refilled continuously, so calls are spaced
/// evenly (60 requests per minute: one a second) rather than sent in a burst at the top of each
/// minute. Providers often enforce a per-minute limit over shorter intervals (60 requests per
/// minute as one a second), so an idle pool saves up only ``burst`` worth of allowance.
public struct RateLimit: Sendable, Hashable {
    /// Requests a minute; nil: not limited. At least 1.
    public let requestsPerMinute: Int?
    /// Tokens (prompt and answer) a minute; nil: not limited. At least 1.
    public let tokensPerMinute: Int?
    /// How much allowance an idle pool saves up, as time at the full rate: after a pause, this
    /// much can go at once, and never less than one request. Between zero and one minute.
    /// Default: 1 second (60 requests per minute: one at a time; 600: ten at once).
    public let burst: Duration

    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, burst: Duration = .seconds(1)) {
        self.requestsPerMinute = requestsPerMinute.map { max(1, $0) }
        self.tokensPerMinute = tokensPerMinute.map { max(1, $0) }
        self.burst = min(max(.zero, burst), .seconds(60))
    }

    /// No limits: a pool with it only applies ``RateLimitPool/throttle(for:)``.
    public static let unlimited = RateLimit()
}
