import AgentBus

extension ReplayWorkflow {
    /// Every model call of the workflow's handlings, each counted once (``ModelCallTally``): what
    /// the workflow's model calls used and cost.
    public var modelTotals: ModelCallTotals {
        var tally = ModelCallTally(by: .workflow)
        for node in nodes {
            for handling in node.handlings {
                for call in handling.modelCalls {
                    tally.add(call, eventID: node.id, agent: handling.agent, correlationID: correlationID)
                }
            }
        }
        return tally.total
    }
}
