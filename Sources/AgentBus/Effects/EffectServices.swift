/// What a handling needs to run effects: the agent's journal, the writer that records to it,
/// the price table for model calls, the largest result a journal record may hold, and the tracer.
import Tracing

package struct EffectServices: Sendable {
    package var journal: EffectJournal
    /// Nil when nothing is written to Kafka (in-process tests, reruns): results are kept in
    /// ``journal`` only.
    package var writer: EffectJournalWriter?
    package var prices: ModelPrices
    package var maxEntryBytes: Int
    /// The agent's ``AgentPolicies/maxWorkflowCost``: no model is called once a workflow spent it.
    package var maxWorkflowCost: Double?
    /// Starts the `chat <model>` span of each model call.
    package var tracer: any Tracer
    /// Counts the tokens and cost of model calls; nil where nothing is measured (reruns, tests).
    package var modelMetrics: ModelCallMetrics?

    package init(
        journal: EffectJournal, writer: EffectJournalWriter?, prices: ModelPrices, maxEntryBytes: Int,
        maxWorkflowCost: Double? = nil, tracer: any Tracer = NoOpTracer(), replayOnly: Bool = false,
        modelMetrics: ModelCallMetrics? = nil
    ) {
        self.modelMetrics = modelMetrics
        self.maxWorkflowCost = maxWorkflowCost
        self.tracer = tracer
        self.replayOnly = replayOnly
        self.journal = journal
        self.writer = writer
        self.prices = prices
        self.maxEntryBytes = maxEntryBytes
    }

    /// Whether effects are served from the journal only (a rerun of a recorded workflow):
    /// nothing runs live, and an effect the journal lacks is an error.
    package var replayOnly: Bool
}
