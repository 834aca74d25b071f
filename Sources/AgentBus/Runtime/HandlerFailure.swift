import JSONSchema
import Kafka

/// A handler attempt that failed, classified.
struct HandlerFailure: Sendable {
    let failureClass: FailureClass
    /// The error's type name, for `kafka_dlt-exception-fqcn`.
    let errorType: String
    let message: String
    /// The attempt ended because it was cancelled (shutdown), not because the handler failed.
    let isCancellation: Bool

    init(failureClass: FailureClass, errorType: String, message: String, isCancellation: Bool) {
        self.failureClass = failureClass
        self.errorType = errorType
        self.message = message
        self.isCancellation = isCancellation
    }

    /// Non-retryable errors and bad outputs are permanent; a payload the Swift type cannot
    /// decode is a schema failure; everything else (including Kafka errors) is transient.
    init(_ error: any Error) {
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
        case is NonRetryableError:
            self.init(failureClass: .permanent, errorType: errorType, message: message, isCancellation: false)
        case is CancellationError:
            self.init(failureClass: .transient, errorType: errorType, message: "cancelled", isCancellation: true)
        default:
            self.init(failureClass: .transient, errorType: errorType, message: message, isCancellation: false)
        }
    }
}
