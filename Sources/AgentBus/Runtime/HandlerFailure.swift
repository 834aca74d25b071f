import JSONSchema
import Kafka

/// A handler attempt that failed, classified: the runtime and `AgentBusTesting` classify
/// through it alike.
package struct HandlerFailure: Sendable, Equatable {
    package let failureClass: FailureClass
    /// The error's type name, for `kafka_dlt-exception-fqcn`.
    package let errorType: String
    package let message: String
    /// The attempt ended because it was cancelled (shutdown), not because the handler failed.
    package let isCancellation: Bool
    /// Set when a provider said to slow down (a model call answered 429): how long to wait
    /// before the next attempt, which does not count against the retry policy.
    package let throttle: Duration?

    package init(
        failureClass: FailureClass, errorType: String, message: String, isCancellation: Bool, throttle: Duration? = nil
    ) {
        self.failureClass = failureClass
        self.errorType = errorType
        self.message = message
        self.isCancellation = isCancellation
        self.throttle = throttle
    }

    /// Non-retryable errors (and model errors no retry fixes) and bad outputs are permanent; a payload the Swift type cannot
    /// decode is a schema failure; everything else (including Kafka errors) is transient.
    package init(_ error: any Error) {
        let message = String(describing: error).oneLine
        let errorType = String(reflecting: type(of: error))
        switch error {
        case is PayloadDecodingError:
            self.init(failureClass: .schema, errorType: errorType, message: message, isCancellation: false)
        case let error as PublishError:
            if case .kafka = error {
                self.init(failureClass: .transient, errorType: errorType, message: message, isCancellation: false)
            } else {
                self.init(failureClass: .permanent, errorType: errorType, message: "output: " + message, isCancellation: false)
            }
        case is CostBudgetExceeded:
            self.init(failureClass: .budget, errorType: "CostBudgetExceeded", message: message, isCancellation: false)
        case is NonRetryableError:
            self.init(failureClass: .permanent, errorType: errorType, message: message, isCancellation: false)
        case let error as ModelError where !error.isRetryable:
            self.init(failureClass: .permanent, errorType: errorType, message: message, isCancellation: false)
        case let error as ModelError where error.kind == .rateLimited:
            // Without a Retry-After, or with 0, 1 s (as RateLimitedModelClient): a wait of nothing
            // would never use up AgentPolicies.maxThrottleWait, and the event would be tried
            // again at once, for ever.
            let retryAfter = error.retryAfter.flatMap { $0 > .zero ? $0 : nil }
            self.init(
                failureClass: .transient, errorType: errorType, message: message, isCancellation: false,
                throttle: retryAfter ?? .seconds(1))
        case is CancellationError:
            self.init(failureClass: .transient, errorType: errorType, message: "cancelled", isCancellation: true)
        default:
            self.init(failureClass: .transient, errorType: errorType, message: message, isCancellation: false)
        }
    }
}

extension HandlerFailure {
    /// The failure of an attempt that threw `error`: past its deadline (the watchdog cancelled
    /// it, or it threw late), a transient `DeadlineExceeded` whatever it threw; otherwise
    /// ``init(_:)``.
    package init(attemptError error: any Error, pastDeadline: Bool, handlerDeadline: Duration) {
        if pastDeadline {
            self.init(
                failureClass: .transient, errorType: "DeadlineExceeded",
                message: "the handler ran past its deadline of \(handlerDeadline)", isCancellation: false)
        } else {
            self.init(error)
        }
    }
}
