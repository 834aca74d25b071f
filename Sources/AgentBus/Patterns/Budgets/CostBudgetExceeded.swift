/// A workflow went past its cost budget (``AgentPolicies/maxWorkflowCost`` or the workflow's own
/// ``WorkflowBudget/maxCost``): thrown by ``HandlerContext/chat(_:using:name:journal:)`` instead
/// of calling a model once the budget is spent, and raised by the runtime when a handling's own
/// spending takes its workflow past the budget. Dead-lettered at once with class `budget`.
public struct CostBudgetExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the workflow has spent, including this handling.
    public let spent: Double
    public let limit: Double

    public init(spent: Double, limit: Double) {
        self.spent = spent
        self.limit = limit
    }

    public var description: String { "workflow spent \(spent), past its cost budget of \(limit)" }

    /// The budget a handling of `input` that added `cost` went past, if it did: its outputs are
    /// then not sent, so the workflow stops in the process whose spending crossed the budget.
    package static func crossed(by cost: Double, handling input: EventEnvelope, maxWorkflowCost: Double?) -> Self? {
        guard cost > 0, let limit = limit(of: input, maxWorkflowCost: maxWorkflowCost), input.cost + cost > limit else {
            return nil
        }
        return CostBudgetExceeded(spent: input.cost + cost, limit: limit)
    }

    /// The tighter of `input`'s own budget and the agent's `maxWorkflowCost`; nil when neither.
    static func limit(of input: EventEnvelope, maxWorkflowCost: Double?) -> Double? {
        [input.budget?.maxCost, maxWorkflowCost].compactMap { $0 }.min()
    }
}
