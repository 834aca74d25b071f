/// A bad flag, variable or agent definition, said in one line.
public struct AgentConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
