/// A price table that cannot be read; the message is one line.
public struct ModelPricesError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
