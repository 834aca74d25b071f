/// A payload that could not be turned into, or made from, a Swift event type.
public struct EventCodingError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
