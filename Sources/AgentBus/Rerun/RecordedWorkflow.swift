/// One workflow as the event log recorded it, as far as one agent is concerned: the events the
/// agent handled and what it published, its activity records for them, and the results its
/// effects journaled (`<agent>.journal`), model answers included.
///
/// A rerun (``RerunDiff``; `agentbus replay rerun`; `AgentRerun` in AgentBusTesting) hands each
/// event the agent handled successfully to the agent's current handlers, with every effect served
/// from ``journal``, and compares what they publish with what was recorded. `ReplayLog` (in
/// AgentBusReplay) builds one from the cluster or a saved log; a test can also build one by hand.
public struct RecordedWorkflow: Sendable {
    /// The agent whose handlings were recorded: its outputs' `ce_source` is `/agents/<agent>`.
    public var agent: String
    public var correlationID: String
    /// The workflow's events, in the order recorded: at least those the agent handled and those
    /// it published. A copy of an event (same `ce_id`) after the first is ignored.
    public var events: [EventEnvelope]
    /// The agent's activity records for the workflow's events, in the order they finished.
    public var handlings: [Handling]
    /// The agent's journaled effect results for the workflow's events (not its handled markers).
    public var journal: [JournalEntry]

    public init(
        agent: String, correlationID: String, events: [EventEnvelope], handlings: [Handling],
        journal: [JournalEntry] = []
    ) {
        self.agent = agent
        self.correlationID = correlationID
        self.events = events
        self.handlings = handlings
        self.journal = journal
    }

    /// What the agent did with one event: the parts of its ``ActivityRecord`` a rerun needs.
    public struct Handling: Sendable, Hashable {
        public var eventID: String
        public var outcome: ActivityRecord.Outcome
        /// Attempts, counting earlier passes through a retry topic: the successful attempt's
        /// number when ``outcome`` is ``ActivityRecord/Outcome/ok``.
        public var attempts: Int
        /// The IDs of the events the handling published, in order.
        public var published: [String]

        public init(eventID: String, outcome: ActivityRecord.Outcome, attempts: Int = 1, published: [String] = []) {
            self.eventID = eventID
            self.outcome = outcome
            self.attempts = attempts
            self.published = published
        }
    }

    /// One journaled effect result: the record of `<agent>.journal` keyed `<event ID>/<effect>`.
    public struct JournalEntry: Sendable, Hashable {
        public var eventID: String
        public var effect: String
        /// The result as the handler gets it back: JSON (redacted, if the effect asked for it).
        public var result: [UInt8]
        /// For a model call, its ``ModelCallRecord`` as JSON; empty otherwise.
        public var modelCall: [UInt8]

        public init(eventID: String, effect: String, result: [UInt8], modelCall: [UInt8] = []) {
            self.eventID = eventID
            self.effect = effect
            self.result = result
            self.modelCall = modelCall
        }
    }

    /// One event a rerun hands to the handlers, with the handling it repeats.
    package struct Input: Sendable {
        package var event: EventEnvelope
        /// The attempt number the recorded handling succeeded on: the rerun's attempt.
        package var attempt: Int
        /// What the handling published, as recorded, by ID.
        package var published: [String]
    }

    /// The events to rerun: every event the agent handled with outcome `ok` (its outputs were
    /// sent, so there is something to compare with), once each, in the order recorded.
    ///
    /// Other outcomes are left out: a dead-lettered or cancelled handling sent nothing, and the
    /// effects of its failed attempt may not be journaled; a duplicate or a rejection never ran
    /// the handler. When one event was handled `ok` more than once (redelivered after a crash,
    /// redriven), the last such handling counts.
    package var inputs: [Input] {
        var lastOK: [String: Handling] = [:]
        for handling in handlings where handling.outcome == .ok { lastOK[handling.eventID] = handling }
        var seen: Set<String> = []
        var inputs: [Input] = []
        for event in events where seen.insert(event.id).inserted {
            guard let handling = lastOK[event.id] else { continue }
            inputs.append(Input(event: event, attempt: max(1, handling.attempts), published: handling.published))
        }
        return inputs
    }

    /// What the agent published while handling `input`, as recorded: the events caused by it
    /// whose source is the agent, and those its activity record lists, once each, in the order
    /// recorded. The IDs the activity record lists that are not among ``events`` are returned
    /// apart: they cannot be compared.
    package func recordedOutputs(of input: Input) -> (events: [EventEnvelope], missing: [String]) {
        let source = "/agents/\(agent)"
        let listed = Set(input.published)
        var seen: Set<String> = []
        var outputs: [EventEnvelope] = []
        for event in events where (event.causationID == input.event.id && event.source == source) || listed.contains(event.id) {
            if seen.insert(event.id).inserted { outputs.append(event) }
        }
        return (outputs, input.published.filter { !seen.contains($0) })
    }
}
