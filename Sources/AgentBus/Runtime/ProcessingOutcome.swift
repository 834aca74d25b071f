import JSONSchema

/// What became of one record, gathered while processing it: the activity record's facts and,
/// for a failure, what the retry or dead letter says.
struct Outcome: Sendable {
    var origin: RecordOrigin
    var receivedAt: Int64
    var startedAt: Int64 = 0
    var finishedAt: Int64 = 0
    var attempts: Int
    var result: ActivityRecord.Outcome = .ok
    var failureClass: FailureClass?
    var errorType: String?
    var error: String?
    /// For `.retried`: when the retry is due, in ms since 1970.
    var retryDue: Int64 = 0
    /// For `.retried`: the delay, which picks the retry topic (its tier).
    var retryDelay: Duration = .zero

    init(origin: RecordOrigin, receivedAt: Int64, attempts: Int) {
        self.origin = origin
        self.receivedAt = receivedAt
        self.attempts = attempts
    }

    /// This outcome for an event of a cancelled workflow: not handled, not dead-lettered.
    func cancelled(_ reason: String) -> Outcome {
        var outcome = self
        outcome.result = .cancelled
        outcome.error = "workflow cancelled: \(reason)".oneLine
        return outcome
    }

    /// This outcome as a failure: refused before any handler ran (poison, schema, budget) or
    /// dead-lettered after handling failed.
    func failed(_ failureClass: FailureClass, _ errorType: String, _ message: String) -> Outcome {
        var outcome = self
        outcome.failureClass = failureClass
        outcome.errorType = errorType
        outcome.error = message.oneLine
        switch failureClass {
        case .poison, .schema, .budget: outcome.result = .rejected
        case .transient, .permanent: outcome.result = .deadLettered
        }
        return outcome
    }
}
