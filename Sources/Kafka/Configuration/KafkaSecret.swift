/// A secret configuration value (a password or key passphrase).
///
/// It prints as `[redacted]`, so it cannot leak through logs, `dump`, or error messages.
public struct KafkaSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    ExpressibleByStringLiteral
{
    let value: String

    public init(_ value: String) { self.value = value }
    public init(stringLiteral value: String) { self.value = value }

    public var description: String { "[redacted]" }
    public var debugDescription: String { "[redacted]" }
}
