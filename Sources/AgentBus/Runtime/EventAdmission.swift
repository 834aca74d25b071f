import JSONSchema

/// The checks an event passes before its handler runs, in the runtime's order: the hop limit,
/// then duplicates, then whether its workflow was cancelled, then its workflow's budget (cost
/// and deadline), then the payload against its schema.
///
/// One function, so the runtime and `AgentBusTesting` refuse the same events for the same
/// reasons.
package enum EventAdmission: Sendable, Equatable {
    /// Go on to the handler.
    case admitted
    /// Handled before (same `ce_source` and `ce_id`, within the dedupe window): skipped.
    case duplicate
    /// Its workflow was cancelled (with this reason): skipped, recorded as cancelled.
    case cancelled(String)
    /// Refused without running the handler: dead-lettered with this class and reason.
    case rejected(Rejection)

    /// Why an event was refused before any handler ran.
    package struct Rejection: Sendable, Equatable {
        package let failureClass: FailureClass
        /// The dead letter's error type (`kafka_dlt-exception-fqcn`).
        package let errorType: String
        /// One line, as dead letters carry it.
        package let reason: String

        package init(failureClass: FailureClass, errorType: String, reason: String) {
            self.failureClass = failureClass
            self.errorType = errorType
            self.reason = reason.oneLine
        }
    }

    /// The rejection of an event whose type has no schema in this agent's catalog: the agent
    /// cannot tell it from another agent's type, nor read it, so rather than skip it without a
    /// trace it dead-letters it. The type is cut to 200 characters, so that a foreign record's
    /// huge `ce_type` cannot make a dead letter too large to write.
    package static func unknownType(_ type: String) -> Rejection {
        let shown = type.count > 200 ? type.prefix(200) + "…" : Substring(type)
        return Rejection(
            failureClass: .poison, errorType: "UnknownEventType", reason: "unknown event type \(shown): no schema in the catalog")
    }

    /// Checks `envelope` for `schema`'s handler. `isDuplicate` is asked only once the hop limit
    /// passed, as in the runtime, where it also counts the duplicate.
    package static func check(
        _ envelope: EventEnvelope, schema: EventSchema, hopLimit: Int, maxWorkflowCost: Double? = nil,
        now: Int64 = EventTime.now().millisecondsSinceEpoch, cancellation: (String) -> String? = { _ in nil },
        isDuplicate: () -> Bool
    ) -> EventAdmission {
        if envelope.hops > hopLimit {
            return .rejected(Rejection(
                failureClass: .budget, errorType: "HopLimitExceeded",
                reason: "hop \(envelope.hops) is past the hop limit \(hopLimit) (agents triggering each other in a loop?)"))
        }
        if isDuplicate() { return .duplicate }
        if let reason = cancellation(envelope.correlationID) { return .cancelled(reason) }
        let limits = [envelope.budget?.maxCost, maxWorkflowCost].compactMap { $0 }
        if let limit = limits.min(), envelope.cost > limit {
            return .rejected(Rejection(
                failureClass: .budget, errorType: "CostBudgetExceeded",
                reason: "workflow spent \(envelope.cost), past its cost budget of \(limit)"))
        }
        if let deadline = envelope.budget?.deadline, now > deadline.millisecondsSinceEpoch {
            return .rejected(Rejection(
                failureClass: .budget, errorType: "WorkflowDeadlineExceeded",
                reason: "workflow past its deadline \(deadline)"))
        }
        if !schema.validator.isValid(envelope.data) {
            let violations = schema.validator.validate(envelope.data)
            // Bytes that are not JSON at all are undecodable (poison), not a payload its schema
            // refuses: the validator reports them as its one `json` violation.
            if violations.count == 1, let undecodable = violations.first, undecodable.keyword == "json" {
                return .rejected(Rejection(
                    failureClass: .poison, errorType: "UndecodablePayload",
                    reason: "payload is not JSON: \(undecodable.message)"))
            }
            let first = violations.first.map { "schema: \($0)" } ?? "schema: invalid"
            let more = violations.count > 1 ? " (and \(violations.count - 1) more)" : ""
            return .rejected(Rejection(failureClass: .schema, errorType: "SchemaViolation", reason: first + more))
        }
        return .admitted
    }
}
