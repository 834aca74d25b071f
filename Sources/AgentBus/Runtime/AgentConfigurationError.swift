import JSONSchema

/// A bad flag, variable or agent definition, said in one line.
public struct AgentConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    /// `message` with line breaks and control characters escaped: it quotes what the user gave
    /// (a flag's value, an environment variable), which may hold anything.
    public init(_ message: String) { self.message = message.oneLine }
    public var description: String { message }
}
