import AgentBus

/// The judgement calls replay makes about a workflow, with defaults a demanding user can override
/// from the command line.
public struct ReplayOptions: Sendable, Hashable {
    /// A workflow with events still waiting counts as stalled once nothing has happened in it for
    /// this long before the log was read (ms). Measured against the read time recorded in the
    /// log, not the clock now, so a saved log replays to the same answer later.
    public var stallAfter: Int64
    /// How far before its cause an event may be timed before lint reports it (ms): producers'
    /// clocks differ a little.
    public var skewTolerance: Int64

    public init(stallAfter: Int64 = 60_000, skewTolerance: Int64 = 1_000) {
        self.stallAfter = stallAfter
        self.skewTolerance = skewTolerance
    }
}
