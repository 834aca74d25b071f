/// The limits of one workflow, carried in every event of it (`agentbus_budget`) and checked by
/// every agent before handling one: the cost the workflow may spend (summed along the causal
/// chain in `agentbus_cost`), and the time by which it must be done. The hop limit is the
/// third guard, set per agent (``AgentPolicies/hopLimit``).
///
/// Set at the root (`agentbus publish --max-cost 2.50 --time-limit 10m`, or
/// ``EventPublisher``), or by an agent's ``AgentPolicies/budget`` for workflows that arrive
/// without one; children inherit it unchanged.
public struct WorkflowBudget: Sendable, Hashable, CustomStringConvertible {
    /// The most the workflow may spend, in the unit its agents report cost in (for example US
    /// dollars). Nil: no limit.
    public var maxCost: Double?
    /// When the workflow must be done by. Nil: no limit.
    public var deadline: EventTime?

    public init(maxCost: Double? = nil, deadline: EventTime? = nil) {
        self.maxCost = maxCost
        self.deadline = deadline
    }

    /// The header value: `max-cost=2.5;deadline=2026-12-06T21:00:00.000Z` (either part optional).
    public var description: String {
        var parts: [String] = []
        if let maxCost { parts.append("max-cost=\(maxCost)") }
        if let deadline { parts.append("deadline=\(deadline)") }
        return parts.joined(separator: ";")
    }

    /// Parses ``description``; nil when malformed.
    public init?(header: String) {
        var budget = WorkflowBudget()
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { return nil }
            switch pair[0].trimmingCharacters(in: .whitespaces) {
            case "max-cost":
                guard let value = Double(pair[1]), value >= 0 else { return nil }
                budget.maxCost = value
            case "deadline":
                guard let value = EventTime(rfc3339: pair[1]) else { return nil }
                budget.deadline = value
            default:
                continue  // a later version's limit: not enforced here
            }
        }
        self = budget
    }

    /// This budget, with the limits of `other` where this has none.
    func merging(_ other: WorkflowBudget?) -> WorkflowBudget {
        WorkflowBudget(maxCost: maxCost ?? other?.maxCost, deadline: deadline ?? other?.deadline)
    }

    var isEmpty: Bool { maxCost == nil && deadline == nil }
}
