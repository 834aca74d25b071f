import AgentBus

/// Model calls from activity records, each counted once, added up by agent, model or workflow:
/// what `agentbus costs` prints and the workflow totals of `agentbus replay`.
///
/// The counting rule. A journaled call (``ModelCallRecord/journaled``) is made at most once per
/// event, agent and effect name: a retry, a redelivery or a redrive of the event gets the answer
/// from the agent's journal and lists the call again, marked ``ModelCallRecord/replayed``. So a
/// journaled call is identified by (the handled event's ID, the agent, the effect) and counted
/// the first time it is listed, whether that listing is replayed or not: when the attempt that
/// made the call crashed, it wrote no activity record, and a replayed listing is all there is of
/// a call that was paid for. A call that is not journaled is made again on every attempt, so
/// each listing is a call of its own; so is a journaled call of a record without an event ID.
/// Every replayed listing adds to ``ModelCallTotals/replayed``, counted or not.
public struct ModelCallTally: Sendable {
    public let grouping: ModelCallGrouping
    /// Every call counted, whatever its key.
    public private(set) var total = ModelCallTotals()
    private var usageByKey: [String: ModelCallTotals] = [:]
    private var counted: Set<JournaledCall> = []

    /// What identifies a journaled call.
    private struct JournaledCall: Hashable, Sendable {
        var eventID: String
        var agent: String
        var effect: String
    }

    public init(by grouping: ModelCallGrouping) {
        self.grouping = grouping
    }

    /// Adds the calls an activity record lists.
    public mutating func add(_ record: ActivityRecord) {
        for call in record.modelCalls {
            add(call, eventID: record.eventId, agent: record.agent, correlationID: record.correlationId)
        }
    }

    /// Adds one listing of `call`, made by `agent` while handling event `eventID` of workflow
    /// `correlationID`.
    public mutating func add(_ call: ModelCallRecord, eventID: String?, agent: String, correlationID: String?) {
        var isNew = true
        if call.journaled, let eventID {
            isNew = counted.insert(JournaledCall(eventID: eventID, agent: agent, effect: call.effect)).inserted
        }
        var change = ModelCallTotals()
        if isNew {
            change.calls = 1
            change.inputTokens = call.inputTokens
            change.outputTokens = call.outputTokens
            change.cost = call.cost
        }
        if call.replayed { change.replayed = 1 }
        usageByKey[grouping.key(of: call, agent: agent, correlationID: correlationID), default: ModelCallTotals()].add(change)
        total.add(change)
    }

    /// One row per key, the most expensive first (then the most calls, then by key), so the
    /// order is the same on every run.
    public var rows: [ModelCallTallyRow] {
        usageByKey.map { ModelCallTallyRow(key: $0.key, usage: $0.value) }.sorted { a, b in
            if a.usage.cost != b.usage.cost { return a.usage.cost > b.usage.cost }
            if a.usage.calls != b.usage.calls { return a.usage.calls > b.usage.calls }
            return a.key < b.key
        }
    }
}
