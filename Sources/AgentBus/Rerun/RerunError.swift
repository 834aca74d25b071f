import JSONSchema

/// Why a rerun could not be made at all: a recording that does not read, or one of another
/// agent. (What goes wrong with one event, its handler failing or an effect missing from the
/// journal, is reported with that event instead: ``RerunOutcome/error``.)
public struct RerunError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message.oneLine }

    public var description: String { message }
}
