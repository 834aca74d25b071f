/// Why a Kafka record is not a usable AgentBus event. The message is one line, fit for a
/// dead-letter header or a `tail` annotation.
public struct EnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// No `ce_specversion` header: a plain Kafka record, not a CloudEvent at all.
        case notAnEvent
        /// A CloudEvent AgentBus cannot accept: a header missing, malformed or unsupported.
        case malformed
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
