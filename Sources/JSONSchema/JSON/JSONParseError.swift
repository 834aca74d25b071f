/// A text that is not JSON: what was wrong, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offset of the offending byte in the input.
    public var offset: Int
    /// What was expected or found, e.g. `expected ',' or '}'`.
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
