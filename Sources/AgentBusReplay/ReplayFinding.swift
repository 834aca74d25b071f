import AgentBus

/// Something `replay lint` reports: what is wrong, where, why it usually happens and what to do.
public struct ReplayFinding: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An event's `ce_causationid` names an event that is not in the log.
        case orphan
        /// A workflow has more than one event without a cause.
        case severalRoots = "several-roots"
        /// Two different events share one `ce_id`.
        case duplicateID = "duplicate-id"
        /// Causation leads in a circle.
        case cycle
        /// An event's cause belongs to another workflow.
        case correlationBreak = "correlation-break"
        /// An event is timed before its cause by more than the clock-skew tolerance.
        case effectBeforeCause = "effect-before-cause"
        /// An event is in a dead-letter topic and was not redriven successfully.
        case deadLettered = "dead-lettered"
        /// A workflow went quiet with events still waiting for a consumer or a retry.
        case stalled
        /// A record that replay could not read: not JSON, a missing required field, a line cut
        /// short, a record from a producer that does not write CloudEvents headers.
        case malformedRecord = "malformed-record"
        /// The brokers no longer hold the oldest records of a partition, so causes may be missing.
        case retention
    }

    public var kind: Kind
    /// The workflow it concerns, when it concerns one.
    public var correlationID: String?
    /// The event it concerns, when it concerns one.
    public var eventID: String?
    /// What is wrong, in one line.
    public var message: String
    /// Why this usually happens.
    public var cause: String
    /// What to do about it.
    public var fix: String

    package init(kind: Kind, correlationID: String?, eventID: String?, message: String, cause: String, fix: String) {
        self.kind = kind
        self.correlationID = correlationID
        self.eventID = eventID
        self.message = message
        self.cause = cause
        self.fix = fix
    }
}
