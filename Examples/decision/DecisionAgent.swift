import AgentBus
import Foundation
import LoanEvents

/// Decides each scored application (``RiskScored``) by the ``LendingPolicy`` and publishes a
/// ``DecisionMade``. An approval above its authority is a human approval gate:
///
/// - it publishes an ``ApprovalRequested`` for the lowest role whose limit covers the amount, and
///   sets a durable timer (``ApprovalExpired``) at the request's deadline;
/// - the first ``ApprovalGranted`` or ``ApprovalRejected`` that answers the current request, from
///   an approver whose role covers it, becomes the final ``DecisionMade`` (which the notifier
///   tells the applicant) and cancels the timer; any later decision is refused (logged, and
///   changes nothing), and one from a role too low is dead-lettered;
/// - at the deadline, undecided, the request escalates to the next role up (a new request that
///   supersedes the old) or, by policy or when no role is above, the loan is declined.
///
/// The case is kept in the agent's state, so restarts and rebalances lose nothing.
struct DecisionAgent: Agent {
    let name = "decision"
    let version = "1.1.0"
    let produces = [DecisionMade.eventType, ApprovalRequested.eventType, ApprovalExpired.eventType]
    let capabilities = ["lending-decision"]
    let usesState = true
    let usesTimers = true
    let policy: LendingPolicy
    var onApprovalTimeout: ApprovalTimeoutPolicy = .escalate
    /// Simulated time to decide (a call to the pricing and policy services).
    var latency: Duration = .zero

    /// How long a decided case is kept (a redelivered decision still finds it), then removed.
    static let retention = Duration.seconds(900)
    static let cleanupTimerName = "approval cleanup"

    var handlers: [EventHandler] {
        EventHandler(RiskScored.self) { [policy, latency] risk, context in
            if latency > .zero { try await context.clock.sleep(for: latency) }
            let decision = policy.decide(risk, now: Date())
            try context.publish(decision.made)
            if let approval = decision.approval {
                try Self.request(approval, rate: decision.made.interestRatePercent, context)
            }
        }
        EventHandler(ApprovalGranted.self) { granted, context in
            guard let approval = try Self.openCase(answering: granted.requestId, by: granted.approver, context) else { return }
            try Self.close(approval, by: "granted by \(granted.approver.name)", context)
            try context.publish(
                DecisionMade(
                    applicationId: granted.applicationId, applicantId: granted.applicantId, decision: .approved,
                    reason: "Approved on review by a \(granted.approver.role.rawValue).",
                    approvedAmount: granted.approvedAmount, interestRatePercent: approval.interestRatePercent ?? LendingPolicy.interestRates.values.max(),
                    requiresHumanApproval: false, decidedAt: Date()),
                name: "final")
        }
        EventHandler(ApprovalRejected.self) { rejected, context in
            guard let approval = try Self.openCase(answering: rejected.requestId, by: rejected.approver, context) else { return }
            try Self.close(approval, by: "rejected by \(rejected.approver.name)", context)
            try context.publish(
                DecisionMade(
                    applicationId: rejected.applicationId, applicantId: rejected.applicantId, decision: .declined,
                    reason: "Declined on review: \(rejected.comment)", requiresHumanApproval: false, decidedAt: Date()),
                name: "final")
        }
        EventHandler(ApprovalExpired.self) { [policy, onApprovalTimeout] expired, context in
            guard var approval = try context.state(ApprovalCase.self, for: Self.key(context)) else { return }
            if let decidedBy = approval.decidedBy {
                if decidedBy.hasSuffix(" [\(context.event.id)]") {
                    // This very expiry declined the loan, and is handled again (a crash before its
                    // offset was stored): publish the same decline again.
                    try Self.publishTimeoutDecline(expired, context)
                    return
                }
                // The cleanup timer: a decided case is removed once its redeliveries are past
                // (half the retention, so instances' clocks may disagree; a round's timer that
                // fires just after the decision removes nothing).
                if let decidedAt = approval.decidedAt,
                    EventTime.now().millisecondsSinceEpoch - decidedAt >= Self.retention.components.seconds * 500
                {
                    try context.removeState(for: Self.key(context))
                }
                return
            }
            guard approval.requestId == expired.requestId else { return }  // an older request's timer
            let roles = ApproverRole.allCases
            let index = roles.firstIndex(of: expired.approverRole) ?? roles.count - 1
            if onApprovalTimeout == .escalate, index + 1 < roles.count {
                var next = approval.request
                next.approverRole = roles[index + 1]
                next.requestedAt = Date()
                next.deadline = Date().addingTimeInterval(LendingPolicy.seconds(policy.approvalTimeout))
                next.supersedes = approval.requestId
                next.reason = "Escalated: no \(expired.approverRole.rawValue) decided by the deadline. " + approval.request.reason
                next.reason = String(next.reason.prefix(500))
                try Self.request(next, rate: approval.interestRatePercent, context)
                return
            }
            approval.decidedBy = "timeout [\(context.event.id)]"
            approval.decidedAt = EventTime.now().millisecondsSinceEpoch
            try context.setState(approval, for: Self.key(context))
            try Self.scheduleCleanup(approval, context)
            try Self.publishTimeoutDecline(expired, context)
        }
    }

    static func key(_ context: HandlerContext) -> String { "approval/\(context.event.correlationID)" }

    /// The final decision when no one decided in time.
    static func publishTimeoutDecline(_ expired: ApprovalExpired, _ context: HandlerContext) throws {
        try context.publish(
            DecisionMade(
                applicationId: expired.applicationId, applicantId: expired.applicantId, decision: .declined,
                reason: "No one with the authority to approve the amount decided in time.",
                requiresHumanApproval: false, decidedAt: Date()),
            name: "final")
    }

    /// Sets the timer that removes a decided case after ``retention``.
    static func scheduleCleanup(_ approval: ApprovalCase, _ context: HandlerContext) throws {
        let request = approval.request
        try context.schedule(
            ApprovalExpired(
                applicationId: request.applicationId, applicantId: request.applicantId, requestId: approval.requestId,
                approverRole: request.approverRole, deadline: Date().addingTimeInterval(Double(retention.components.seconds))),
            after: retention, name: cleanupTimerName)
    }

    /// Publishes `request`, sets its expiry timer (replacing any earlier one), and records it as
    /// the case's current request.
    static func request(_ request: ApprovalRequested, rate: Double?, _ context: HandlerContext) throws {
        let round = "approval \(request.approverRole.rawValue)"
        let published = try context.publish(request, name: round)
        try context.schedule(
            ApprovalExpired(
                applicationId: request.applicationId, applicantId: request.applicantId, requestId: published.id,
                approverRole: request.approverRole, deadline: request.deadline),
            at: request.deadline, name: round)
        try context.setState(
            ApprovalCase(request: request, requestId: published.id, interestRatePercent: rate, timerName: round),
            for: key(context))
    }

    /// The open case a decision answers, or nil (logged) when the decision does not count: the
    /// case was decided already, or the decision answers a request that was superseded.
    /// - Throws: ``PermanentFailure`` when the approver's role is below the one the request needs.
    static func openCase(answering requestId: String, by approver: Approver, _ context: HandlerContext) throws -> ApprovalCase? {
        guard let approval = try context.state(ApprovalCase.self, for: key(context)) else {
            context.logger.warning("decision on an unknown approval request ignored", metadata: ["request": "\(requestId)"])
            return nil
        }
        if let decidedBy = approval.decidedBy {
            // The same decision handled again (a redelivery) is not a second decision.
            if decidedBy.hasSuffix(" [\(context.event.id)]") { return approval }
            context.logger.warning(
                "decision refused: the approval was already decided",
                metadata: ["request": "\(requestId)", "first": "\(decidedBy)", "by": "\(approver.name)"])
            return nil
        }
        guard requestId == approval.requestId else {
            context.logger.warning(
                "decision refused: it answers a request that was escalated",
                metadata: ["request": "\(requestId)", "current": "\(approval.requestId)", "by": "\(approver.name)"])
            return nil
        }
        let roles = ApproverRole.allCases
        guard let held = roles.firstIndex(of: approver.role), let needed = roles.firstIndex(of: approval.request.approverRole),
            held >= needed
        else {
            throw PermanentFailure(
                "\(approver.name) (\(approver.role.rawValue)) may not decide a request that needs a \(approval.request.approverRole.rawValue)")
        }
        return approval
    }

    /// Records the case as decided by the handled event and cancels its expiry timer.
    static func close(_ approval: ApprovalCase, by summary: String, _ context: HandlerContext) throws {
        var approval = approval
        approval.decidedBy = "\(summary) [\(context.event.id)]"
        approval.decidedAt = EventTime.now().millisecondsSinceEpoch
        try context.setState(approval, for: key(context))
        try context.cancelTimer(named: approval.timerName ?? "approval")
        try scheduleCleanup(approval, context)
    }
}
