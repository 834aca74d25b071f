/// Fan-in: collects one typed result per branch of a fan-out, per workflow (correlation ID), and
/// says when to complete: when every expected branch reported, or at the deadline, by policy.
///
/// A building block for an aggregator agent (which declares `usesState` and `usesTimers`): the
/// state of each collection is kept in the agent's state, so it survives restarts and
/// rebalances; a branch that reports twice counts once; and once a collection is over, later
/// results change nothing. The agent's handlers call it and publish what it decides:
///
/// - on the fan-out event: ``open(expecting:in:)``, and schedule the deadline event with
///   ``HandlerContext/schedule(_:after:name:key:)`` under ``timerName``;
/// - on each branch's result: ``record(_:from:in:)``;
/// - on the deadline event: ``expire(in:)``.
///
/// Each returns a ``FanInDecision``: wait, or complete with the results (``FanInDecision/complete(_:)``),
/// complete partially, or fail. After deciding to end, it records the end in the state; the
/// caller then publishes the completion (or failure) and may cancel the deadline timer.
///
/// An ended collection is kept for ``retention`` (so a redelivered event that ended it decides
/// the same again), then ``forget(in:)`` removes it; schedule a timer under ``cleanupTimerName``
/// at the end, so state holds only collections in progress. A collection whose fan-out event
/// never came (results arrived, nothing opened it) is removed by ``forgetOrphan(in:)``.
public struct FanIn<Result: Codable & Sendable>: Sendable {
    /// Names this fan-in in state keys and its timer: one agent may run several.
    public let name: String
    /// What to do at the deadline with some results missing.
    public let onDeadline: DeadlinePolicy

    public enum DeadlinePolicy: Sendable, Hashable {
        /// Complete with the results that arrived, marked partial.
        case completePartial
        /// Give up: the fan-in fails.
        case fail
    }

    /// How long an ended collection is kept: longer than the runtime's dedupe window (10 minutes
    /// by default), within which a redelivered event is handled again.
    public let retention: Duration

    public init(name: String, onDeadline: DeadlinePolicy, retention: Duration = .seconds(900)) {
        self.name = name
        self.onDeadline = onDeadline
        self.retention = retention
    }

    /// The name of the deadline timer to schedule (and cancel).
    public var timerName: String { "fan-in \(name)" }

    /// The name of the timer that removes an ended collection after ``retention``.
    public var cleanupTimerName: String { "fan-in \(name) cleanup" }

    /// Removes the handled event's workflow's collection if it ended at least half of
    /// ``retention`` ago (at `now`, milliseconds since 1970); returns whether it did. The cleanup
    /// timer fires at the full retention, so the clocks of the instances that ended the
    /// collection and that clean it up may disagree by up to half of it; a deadline timer that
    /// fires just after the end removes nothing.
    @discardableResult
    public func forget(in context: HandlerContext, now: Int64 = EventTime.now().millisecondsSinceEpoch) throws(PublishError) -> Bool {
        let state = try state(in: context)
        guard let endedAt = state.endedAt, now - endedAt >= retention.wholeMilliseconds / 2 else { return false }
        try context.removeState(for: stateKey(for: context.event.correlationID))
        return true
    }

    /// Removes the handled event's workflow's collection if nothing opened it (results came,
    /// the fan-out event did not); returns whether it did.
    @discardableResult
    public func forgetOrphan(in context: HandlerContext) throws(PublishError) -> Bool {
        let state = try state(in: context)
        guard state.expected == nil, state.outcome == nil else { return false }
        try context.removeState(for: stateKey(for: context.event.correlationID))
        return true
    }

    /// The state key of a workflow's collection.
    public func stateKey(for correlationID: String) -> String { "fan-in/\(name)/\(correlationID)" }

    /// The collection of the handled event's workflow.
    public func state(in context: HandlerContext) throws(PublishError) -> FanInState<Result> {
        try context.state(FanInState<Result>.self, for: stateKey(for: context.event.correlationID)) ?? FanInState()
    }

    /// Starts (or joins) the collection of the handled event's workflow, expecting one result
    /// from each of `branches`.
    public func open(expecting branches: Set<String>, in context: HandlerContext) throws(PublishError) -> FanInDecision<Result> {
        var state = try state(in: context)
        if let ended = try replay(state, in: context) { return ended }
        guard state.expected == nil else { return .waiting(missing: state.missing) }
        state.expected = branches.sorted()
        return try decide(&state, in: context)
    }

    /// Records `result` from `branch`; a second result from a branch is ignored.
    public func record(_ result: Result, from branch: String, in context: HandlerContext) throws(PublishError) -> FanInDecision<Result> {
        var state = try state(in: context)
        if let ended = try replay(state, in: context) { return ended }
        guard state.results[branch] == nil else { return .duplicate }
        state.results[branch] = result
        return try decide(&state, in: context)
    }

    /// The deadline passed: ends the collection by ``onDeadline`` unless it has all its results
    /// (or ended already).
    public func expire(in context: HandlerContext) throws(PublishError) -> FanInDecision<Result> {
        var state = try state(in: context)
        if let ended = try replay(state, in: context) { return ended }
        // Nothing was ever collected (or it was removed): nothing to end.
        if state.expected == nil, state.results.isEmpty { return .waiting(missing: []) }
        if state.hasAllResults { return try decide(&state, in: context) }
        switch onDeadline {
        case .completePartial:
            state.outcome = .partial
            try end(&state, in: context)
            return .partial(state.results, missing: state.expected == nil ? ["(fan-out event)"] : state.missing)
        case .fail:
            state.outcome = .failed
            try end(&state, in: context)
            return .failed(missing: state.expected == nil ? ["(fan-out event)"] : state.missing)
        }
    }

    /// A collection that ended: a re-run of the handling that ended it decides the same again
    /// (so its outputs are published again, with the same IDs); any other handling is late.
    private func replay(_ state: FanInState<Result>, in context: HandlerContext) throws(PublishError) -> FanInDecision<Result>? {
        guard let outcome = state.outcome else { return nil }
        guard state.endedBy == context.event.id else { return .alreadyEnded(outcome) }
        switch outcome {
        case .complete: return .complete(state.results)
        case .partial: return .partial(state.results, missing: state.missing)
        case .failed: return .failed(missing: state.missing)
        }
    }

    private func decide(_ state: inout FanInState<Result>, in context: HandlerContext) throws(PublishError) -> FanInDecision<Result> {
        guard state.hasAllResults else {
            try context.setState(state, for: stateKey(for: context.event.correlationID))
            return .waiting(missing: state.missing)
        }
        state.outcome = .complete
        try end(&state, in: context)
        return .complete(state.results)
    }

    private func end(_ state: inout FanInState<Result>, in context: HandlerContext) throws(PublishError) {
        state.endedBy = context.event.id
        state.endedAt = EventTime.now().millisecondsSinceEpoch
        try context.setState(state, for: stateKey(for: context.event.correlationID))
    }
}

/// What a ``FanIn`` decided on one event.
public enum FanInDecision<Result: Codable & Sendable>: Sendable {
    /// Not all results are in; these expected branches are missing (empty when the fan-out event
    /// has not been seen yet).
    case waiting(missing: [String])
    /// Every branch reported: publish the completion.
    case complete([String: Result])
    /// The deadline passed with `missing` branches: publish a partial completion.
    case partial([String: Result], missing: [String])
    /// The deadline passed and the policy is to fail: publish the failure.
    case failed(missing: [String])
    /// This branch had reported already: nothing to do.
    case duplicate
    /// The collection ended before this event (as recorded); nothing to do.
    case alreadyEnded(FanInState<Result>.Outcome)
}
