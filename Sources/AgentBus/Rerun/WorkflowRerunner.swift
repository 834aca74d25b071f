import JSONSchema
import Logging

/// Runs an agent's current handlers against a ``RecordedWorkflow``, with nothing live: every
/// effect and model call is served from the recorded journal (an effect it lacks fails that
/// event's handling with ``EffectError/Kind/notJournaled``), nothing is sent to Kafka, and the
/// outputs are collected. What `agentbus replay rerun` runs inside the agent's executable
/// (`--rerun`), and what `AgentRerun` in AgentBusTesting runs in a test.
///
/// Each event the agent handled `ok` (``RecordedWorkflow/inputs``) gets one attempt, numbered as
/// the recorded attempt that succeeded, within the agent's handler deadline. What it cannot
/// reproduce: the agent's keyed state (each rerun starts from none), capability handoffs (no
/// directory of live agents), and effects journaled with `journal: .off`. Redacted results come
/// back redacted, as on any replay from the journal.
package struct WorkflowRerunner: Sendable {
    package let agentName: String
    let policies: AgentPolicies
    let routes: [String: HandlerRoute]
    let registry: SchemaRegistry
    let usesTimers: Bool
    let usesState: Bool
    let usesEffects: Bool
    /// ``Agent/produces``, as the runtime enforces it; nil when the agent declares none.
    let declaredOutputs: Set<String>?
    let logger: Logger

    /// The instance name handlers see in ``HandlerContext/instance``.
    package static let instance = "rerun"

    /// - Throws: ``AgentConfigurationError`` where ``AgentRuntime`` would refuse the agent.
    package init(agent: some Agent, registry: SchemaRegistry, logger: Logger) throws(AgentConfigurationError) {
        routes = try HandlerRoute.routes(for: agent, registry: registry, catalog: "the schema catalog")
        agentName = agent.name
        policies = agent.policies
        self.registry = registry
        usesTimers = agent.usesTimers
        usesState = agent.usesState
        usesEffects = agent.usesEffects
        declaredOutputs = agent.produces.isEmpty ? nil : Set(agent.produces)
        self.logger = logger
    }

    /// One outcome per input of `recording`, in its order.
    ///
    /// - Throws: ``RerunError`` when `recording` is of another agent: its outputs' IDs, derived
    ///   from the agent's name, could never match.
    package func run(_ recording: RecordedWorkflow) async throws(RerunError) -> [RerunOutcome] {
        guard recording.agent == agentName else {
            throw RerunError("the recording is of agent \(recording.agent), not \(agentName)")
        }
        let journal = EffectJournal(topic: AgentTopics.journal(of: agentName), memoryLimit: .max)
        for entry in recording.journal where entry.effect != EffectJournal.handledMarker {
            journal.record(
                EffectJournalEntry(result: entry.result, call: entry.modelCall),
                for: EffectJournal.key(event: entry.eventID, effect: entry.effect))
        }
        let services = HandlerServices(
            timersTopic: usesTimers ? AgentTopics.timers(of: agentName) : nil,
            state: usesState ? StateStore(topic: AgentTopics.state(of: agentName)) : nil,
            effects: usesEffects
                ? EffectServices(
                    journal: journal, writer: nil, prices: ModelPrices(), maxEntryBytes: policies.maxJournalEntryBytes,
                    replayOnly: true)
                : nil,
            declaredOutputs: declaredOutputs)
        var outcomes: [RerunOutcome] = []
        for input in recording.inputs {
            outcomes.append(await handle(input, services: services))
        }
        return outcomes
    }

    private func handle(_ input: RecordedWorkflow.Input, services: HandlerServices) async -> RerunOutcome {
        let event = input.event
        guard let route = routes[event.type] else {
            return RerunOutcome(
                eventID: event.id, type: event.type, outputs: [],
                error: "\(agentName) no longer handles \(event.type)")
        }
        let clock = ContinuousClock()
        let deadline = clock.now + policies.handlerDeadline
        let context = HandlerContext(
            event: event, attempt: input.attempt, deadline: deadline, agent: agentName, instance: Self.instance,
            registry: registry, logger: logger, services: services)
        let task = Task {
            try await HandlerContext.$current.withValue(context) { try await route.handler.body(event, context) }
        }
        let watch = Task {
            try await clock.sleep(until: deadline)
            task.cancel()
        }
        defer { watch.cancel() }
        do {
            try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } catch {
            let message: String
            if clock.now >= deadline {
                message = "the handler ran past its deadline of \(policies.handlerDeadline)"
            } else {
                message = "\(type(of: error)): \(String(describing: error))".oneLine
            }
            return RerunOutcome(eventID: event.id, type: event.type, outputs: [], error: message)
        }
        services.state?.applyLocal(context.writes)
        return RerunOutcome(eventID: event.id, type: event.type, outputs: context.outputs.map(\.envelope))
    }
}
