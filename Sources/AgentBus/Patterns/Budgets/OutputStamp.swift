/// What the runtime writes into each output of a handling besides what the handler published:
/// the workflow's cost so far (the input's plus what the handling added), and for a root
/// handled without a deadline, the deadline of the agent's ``AgentPolicies/workflowTimeLimit``.
package struct OutputStamp {
    let cost: Double
    let budget: WorkflowBudget?

    package init(input: EventEnvelope?, cost added: Double, policies: AgentPolicies) {
        cost = (input?.cost ?? 0) + max(0, added)
        var budget = input?.budget
        if let input, input.isRoot, budget?.deadline == nil, let limit = policies.workflowTimeLimit {
            let start = (input.time ?? .now()).millisecondsSinceEpoch
            var stamped = budget ?? WorkflowBudget()
            stamped.deadline = EventTime(millisecondsSinceEpoch: start + limit.wholeMilliseconds)
            budget = stamped
        }
        self.budget = budget
    }

    package func apply(to envelope: inout EventEnvelope) {
        envelope.cost = cost
        envelope.budget = budget
    }
}
