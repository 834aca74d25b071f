import AgentBus

extension ReplayHandling {
    /// What this handling's model calls used, replayed ones included (and counted in
    /// ``ModelCallTotals/replayed``).
    public var modelTotals: ModelCallTotals { ModelCallTotals(modelCalls) }
}
