import AgentBus

extension ReplayLog {
    /// Every model call the log's activity records list, each counted once (``ModelCallTally``),
    /// added up by `grouping`: the handlings of every activity record read, including those whose
    /// event is not in the log (`agentbus costs` reads `agentbus.activity` alone).
    public func modelCallTally(by grouping: ModelCallGrouping) -> ModelCallTally {
        var tally = ModelCallTally(by: grouping)
        let symbols = index.symbols
        for activity in index.activities where activity.modelCallCount > 0 {
            let agent = symbols[activity.agent]
            let eventID = symbols.string(activity.event)
            let correlationID = symbols.string(activity.correlation)
            for call in modelCalls(of: activity) {
                tally.add(call, eventID: eventID, agent: agent, correlationID: correlationID)
            }
        }
        return tally
    }

    /// The model calls of a workflow's handlings, each counted once: what ``ReplayWorkflow/modelTotals``
    /// gives once the workflow is built, without building it.
    func modelTotals(of graph: WorkflowGraph) -> ModelCallTotals {
        var tally = ModelCallTally(by: .workflow)
        let symbols = index.symbols
        for node in graph.nodes {
            for row in node.handlings {
                let activity = index.activities[Int(row)]
                guard activity.modelCallCount > 0 else { continue }
                let agent = symbols[activity.agent]
                let eventID = symbols[index.events[Int(node.event)].id]
                for call in modelCalls(of: activity) {
                    tally.add(call, eventID: eventID, agent: agent, correlationID: nil)
                }
            }
        }
        return tally.total
    }

    /// The model calls `activity` lists, as their records.
    func modelCalls(of activity: IndexedActivity) -> [ModelCallRecord] {
        guard activity.modelCallCount > 0 else { return [] }
        let symbols = index.symbols
        let start = Int(activity.modelCallStart)
        return index.modelCalls[start..<start + Int(activity.modelCallCount)].map { call in
            ModelCallRecord(
                effect: symbols[call.effect], provider: symbols[call.provider], requestModel: symbols[call.requestModel],
                responseModel: symbols[call.responseModel], inputTokens: call.inputTokens, outputTokens: call.outputTokens,
                latencyMilliseconds: call.latencyMilliseconds, cost: call.cost, journaled: call.journaled,
                replayed: call.replayed)
        }
    }
}
