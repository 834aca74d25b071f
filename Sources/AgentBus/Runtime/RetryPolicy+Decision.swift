extension RetryPolicy {
    /// The decision after `failure`, when it ended attempt `attemptInPass` of the current pass
    /// (from 1) and the event's `attempts`th attempt overall (passes through the retry topics
    /// included). Only transient failures are retried. `random` draws the backoff's jitter.
    package func decision(
        after failure: HandlerFailure, attemptInPass: Int, attempts: Int, random: Double = Double.random(in: 0..<1)
    ) -> RetryDecision {
        guard failure.failureClass == .transient else { return .deadLetter }
        if attemptInPass < inPlaceAttempts { return .retryInPlace(after: backoff(afterAttempt: attemptInPass, random: random)) }
        if let delay = retryTopicDelay(afterAttempts: attempts) { return .retryTopic(after: delay) }
        return .deadLetter
    }
}
