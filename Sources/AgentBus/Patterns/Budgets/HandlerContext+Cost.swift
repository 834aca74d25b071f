extension HandlerContext {
    /// Adds `amount` to what the workflow has spent (a model call's price, say). The events this
    /// handling publishes carry the workflow's total (`agentbus_cost`), and every agent refuses
    /// events of a workflow past its cost budget (``WorkflowBudget``,
    /// ``AgentPolicies/maxWorkflowCost``) with a `budget` dead letter.
    public func addCost(_ amount: Double) {
        guard amount > 0, amount.isFinite else { return }
        withOutputs { $0.cost += amount }
    }

    /// What the workflow has spent: up to the handled event, plus what this handling added.
    public var workflowCost: Double { event.cost + costAdded }

    /// What this handling added with ``addCost(_:)``.
    package var costAdded: Double { withOutputs { $0.cost } }
}
