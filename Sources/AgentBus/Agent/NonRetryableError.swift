/// An error that retrying cannot fix (a rejected input, a business rule): a handler that throws
/// one has its event dead-lettered at once, with failure class `permanent`.
///
/// Every other error a handler throws counts as transient and is retried.
public protocol NonRetryableError: Error {}

/// A ready-made ``NonRetryableError`` with a message.
public struct PermanentFailure: NonRetryableError, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
