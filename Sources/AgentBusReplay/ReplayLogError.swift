import AgentBus

/// Why a replay log could not be read or written, in one line.
public struct ReplayLogError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
