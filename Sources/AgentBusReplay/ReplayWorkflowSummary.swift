import AgentBus

/// One line of `replay ls`.
public struct ReplayWorkflowSummary: Sendable, Hashable {
    public var correlationID: String
    /// The root event's type; the earliest event's when the workflow has no single root.
    public var rootType: String
    /// The earliest event time and the latest time anything happened, ms since 1970.
    public var startedAt: Int64
    public var endedAt: Int64
    /// Distinct events.
    public var eventCount: Int
    public var deadLetterCount: Int
    public var status: WorkflowStatus
    /// The model calls of its handlings, each counted once (``ModelCallTally``).
    public var modelTotals: ModelCallTotals

    package init(
        correlationID: String, rootType: String, startedAt: Int64, endedAt: Int64, eventCount: Int,
        deadLetterCount: Int, status: WorkflowStatus, modelTotals: ModelCallTotals = ModelCallTotals()
    ) {
        self.correlationID = correlationID
        self.rootType = rootType
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.eventCount = eventCount
        self.deadLetterCount = deadLetterCount
        self.status = status
        self.modelTotals = modelTotals
    }

    public var duration: Int64 { endedAt - startedAt }
}
