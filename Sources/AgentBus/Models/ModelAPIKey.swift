/// An API key: sent in the `Authorization` header and nowhere else. Its description is
/// `<redacted>`, so it never reaches a log line, an error or a crash report.
public struct ModelAPIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
