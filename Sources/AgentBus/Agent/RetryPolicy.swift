/// How a transient failure is retried: first in place (the event's partition waits, others go
/// on), then through the agent's retry topics after each of ``retryTopicDelays``, then to the
/// dead-letter topic.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per pass, the first included. Default: 3.
    public var inPlaceAttempts: Int
    /// The backoff before the second attempt; it doubles each attempt, up to ``maxBackoff``,
    /// and the actual wait is random between zero and that ("full jitter"). Default: 100 ms.
    public var initialBackoff: Duration
    /// Default: 5 s.
    public var maxBackoff: Duration
    /// After the in-place attempts of one pass, wait this long (through the retry topic of that
    /// delay, `<agent>.retry.<delay>`, so the partition moves on) and try another pass; one entry
    /// per extra pass. Each distinct delay is a topic of its own (see
    /// ``AgentTopics/retry(of:delay:)``), which the agent reads. Default: 10 s, then 60 s.
    public var retryTopicDelays: [Duration]

    public init(
        inPlaceAttempts: Int = 3, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5),
        retryTopicDelays: [Duration] = [.seconds(10), .seconds(60)]
    ) {
        self.inPlaceAttempts = max(1, inPlaceAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.retryTopicDelays = retryTopicDelays
    }

    /// No retries: the first failure is dead-lettered.
    public static let none = RetryPolicy(inPlaceAttempts: 1, retryTopicDelays: [])

    /// The wait before in-place attempt `attempt` + 1 (`attempt` counts from 1): uniformly random
    /// in [0, min(maxBackoff, initialBackoff × 2^(attempt−1))].
    public func backoff(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxBackoff, initialBackoff * (1 << exponent))
        return ceiling * random
    }

    /// Where an event that has had `attempts` attempts so far goes after failing again: the delay
    /// of its next retry-topic pass, or nil when the passes are used up.
    package func retryTopicDelay(afterAttempts attempts: Int) -> Duration? {
        let pass = attempts / inPlaceAttempts  // passes finished, the current one included
        let index = pass - 1
        return index >= 0 && index < retryTopicDelays.count ? retryTopicDelays[index] : nil
    }
}
