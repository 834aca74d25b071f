import AgentBus
import Logging

/// Reruns an agent's current handlers against a workflow it handled before, with every effect
/// and model answer taken from the recording's effect journal, and says how the outputs differ:
/// a regression test for a changed prompt, model or rule, made from real traffic, that calls
/// nothing live.
///
/// ```swift
/// let log = try ReplayLog.load(path: "incident.jsonl")          // AgentBusReplay
/// let recording = try log.recordedWorkflow(correlationID, agent: "risk-scorer")
/// let diff = try await AgentRerun(RiskScorer(), schemas: registry).run(recording)
/// #expect(!diff.hasDifferences, "\(diff.text)")
/// ```
///
/// Every event the agent handled successfully in the recording is handed to its handler once
/// (see ``AgentBus/RecordedWorkflow``), with the attempt number that succeeded; the outputs are
/// compared by ID with those recorded (``AgentBus/RerunDiff``). An effect the recording did not
/// journal (a new `context.effect`, a call renamed, `journal: .off`) is not run: that event's
/// rerun fails with ``AgentBus/EffectError/Kind/notJournaled``, reported in
/// ``AgentBus/RerunDiff/Input/error``. `agentbus replay rerun` runs the same code inside the
/// agent's executable.
public struct AgentRerun: Sendable {
    private let runner: WorkflowRerunner

    /// A rerun of `agent`, whose handled types must be in `schemas`.
    ///
    /// - Parameter logger: the handlers' logger. Default: one that drops every line.
    /// - Throws: ``AgentBus/AgentConfigurationError`` where ``AgentBus/AgentRuntime`` would
    ///   refuse to start the agent.
    public init(
        _ agent: some Agent, schemas: SchemaRegistry,
        logger: Logger = Logger(label: "agentbus.rerun", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(AgentConfigurationError) {
        runner = try WorkflowRerunner(agent: agent, registry: schemas, logger: logger)
    }

    /// What the handlers publish now for each event of `recording` the agent handled, or why
    /// they did not finish.
    ///
    /// - Throws: ``AgentBus/RerunError`` when `recording` is of another agent.
    public func outcomes(_ recording: RecordedWorkflow) async throws(RerunError) -> [RerunOutcome] {
        try await runner.run(recording)
    }

    /// Reruns `recording` and compares the outputs with those recorded.
    ///
    /// - Throws: ``AgentBus/RerunError`` when `recording` is of another agent.
    public func run(_ recording: RecordedWorkflow) async throws(RerunError) -> RerunDiff {
        RerunDiff(recording: recording, outcomes: try await runner.run(recording))
    }
}
