/// Why an effect could not be run or recorded. None of these is retried: each is a bug in the
/// agent or its configuration, which another attempt would meet again.
public struct EffectError: NonRetryableError, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The result is larger than a journal record may be.
        case tooLarge = "too-large"
        /// Two effects of one handling share a name, or a name is the runtime's (`agentbus.`).
        case badName = "bad-name"
        /// The journaled result does not decode as the type the handler asks for.
        case undecodable
        /// A rerun met an effect the recorded handling did not run: it calls nothing live.
        case notJournaled = "not-journaled"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
