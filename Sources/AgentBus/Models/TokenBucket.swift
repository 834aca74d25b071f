/// One limit of a ``RateLimitPool``: a bucket refilled continuously at `perSecond` up to
/// `capacity`, from which each call takes what it uses.
///
/// The level may go below zero: a call larger than the whole bucket goes once the bucket is full
/// and leaves a debt, and so does a call that used more than it was estimated to; later calls
/// wait until the debt is refilled. So the long-run rate holds whatever the calls' sizes.
struct TokenBucket: Sendable {
    let capacity: Double
    let perSecond: Double
    private(set) var level: Double

    /// A full bucket.
    init(perMinute: Int, burst: Duration) {
        perSecond = Double(perMinute) / 60
        capacity = max(1, perSecond * Self.seconds(burst))
        level = capacity
    }

    /// Adds what `elapsed` refills.
    mutating func refill(after elapsed: Duration) {
        guard elapsed > .zero else { return }
        level = min(capacity, level + perSecond * Self.seconds(elapsed))
    }

    /// How long until `amount` can be taken: zero if now. A take larger than the bucket waits for
    /// a full bucket.
    func wait(for amount: Int) -> Duration {
        let nanoseconds = (min(Double(amount), capacity) - level) / perSecond * 1e9
        // Less than a nanosecond away is due, so that rounding never sends a due call back to
        // sleep for a fraction of one.
        guard nanoseconds >= 1 else { return .zero }
        return .nanoseconds(Int64(nanoseconds.rounded()))
    }

    mutating func take(_ amount: Int) { level -= Double(amount) }

    /// Gives back what a call did not use (a positive `amount`) or takes what it used beyond its
    /// estimate (a negative one).
    mutating func adjust(by amount: Int) { level = min(capacity, level + Double(amount)) }

    /// Forgets what was saved up (keeps a debt): after a provider's 429, calls resume at the
    /// steady rate rather than in a burst.
    mutating func drain() { level = min(level, 0) }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
