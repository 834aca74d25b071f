/// What an agent's current handler did with one recorded event in a rerun: the events it
/// published, or why it did not finish.
public struct RerunOutcome: Sendable {
    /// The recorded event handed to the handler.
    public var eventID: String
    public var type: String
    /// What the handler published, in order; empty when it failed (a failed attempt sends
    /// nothing).
    public var outputs: [EventEnvelope]
    /// One line when the handler threw or ran past its deadline, an effect was not in the
    /// journal (a rerun runs nothing live), or the agent has no handler for the type; nil when
    /// it returned.
    public var error: String?

    public init(eventID: String, type: String, outputs: [EventEnvelope], error: String? = nil) {
        self.eventID = eventID
        self.type = type
        self.outputs = outputs
        self.error = error
    }
}
