/// Why an approval request or decision event cannot be read: its ID and what its payload lacks.
public struct ApprovalPayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var eventID: String
    public var problem: String

    public init(eventID: String, problem: String) {
        self.eventID = eventID
        self.problem = problem
    }

    public var description: String { "event \(eventID.oneLine): \(problem)" }
}
