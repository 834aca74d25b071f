/// What becomes of an event after a failed attempt: the runtime and `AgentBusTesting` both ask
/// ``RetryPolicy/decision(after:attemptInPass:attempts:random:)``, so they retry and
/// dead-letter alike.
package enum RetryDecision: Sendable, Equatable {
    /// Try again in place after this backoff (the partition waits).
    case retryInPlace(after: Duration)
    /// The pass is over: through the retry topic of this delay (`<agent>.retry.<delay>`), due after it.
    case retryTopic(after: Duration)
    /// No more tries: dead-letter it with the failure's class.
    case deadLetter
}
