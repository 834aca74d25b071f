import Foundation
import Synchronization

/// The rate-limit pools of one agent instance, one per provider and model, so that every client
/// an instance makes for the same provider and model shares one pool (and so one set of limits)
/// however many handlers call it, and wherever the client was made.
///
/// A pool's key is `"<host>:<port>|<model>"` of the API's base URL: `api.openai.com:443|gpt-4o`.
/// The path is left out, since a provider's limits apply to the account whatever the path; the
/// port is explicit, so two local servers on one host have pools of their own.
///
/// Keep one in the agent (or in whatever it shares across handlers):
///
/// ```swift
/// let pools = RateLimitPools()
/// let pool = pools.pool(baseURL: URL(string: "https://api.openai.com/v1")!, model: "gpt-4o-mini",
///                       limit: RateLimit(requestsPerMinute: 500, tokensPerMinute: 200_000))
/// ```
public final class RateLimitPools: Sendable {
    private let pools = Mutex<[String: RateLimitPool]>([:])
    private let makePool: @Sendable (RateLimit) -> RateLimitPool

    /// Pools on the continuous clock.
    public convenience init() {
        self.init(clock: ContinuousClock())
    }

    /// Pools that measure and wait on `clock`: a manual clock in tests.
    public init<C: Clock<Duration>>(clock: C) {
        makePool = { RateLimitPool(limit: $0, clock: clock) }
    }

    /// The pool of `model` at `baseURL`, made with `limit` the first time it is asked for. Later
    /// requests for the same key get that pool whatever limit they pass: the first one holds.
    public func pool(baseURL: URL, model: String, limit: RateLimit) -> RateLimitPool {
        let key = Self.key(baseURL: baseURL, model: model)
        return pools.withLock { pools in
            if let pool = pools[key] { return pool }
            let pool = makePool(limit)
            pools[key] = pool
            return pool
        }
    }

    /// The pool of a client's configured model.
    public func pool(for configuration: OpenAICompatibleClient.Configuration, limit: RateLimit) -> RateLimitPool {
        pool(baseURL: configuration.baseURL, model: configuration.model, limit: limit)
    }

    /// `"<host>:<port>|<model>"`, the port the scheme's default when the URL has none (80 for
    /// `http`, 443 otherwise).
    public static func key(baseURL: URL, model: String) -> String {
        let host = (baseURL.host ?? "").lowercased()
        let port = baseURL.port ?? (baseURL.scheme?.lowercased() == "http" ? 80 : 443)
        return "\(host):\(port)|\(model)"
    }
}
