import AgentBus
import Foundation
import LoanEvents

/// Decides each scored application (``RiskScored``) by the ``LendingPolicy`` and publishes a
/// ``DecisionMade``; an approval above its authority also publishes an ``ApprovalRequested``.
///
/// What follows a request is not this agent's: the approvals console answers with an
/// ``ApprovalGranted`` or ``ApprovalRejected`` (which the notifier tells the applicant), and
/// what happens when the request's deadline passes unanswered belongs to the approvals side. A
/// handler for those answers or for the deadline is added next to this one, as its own
/// `EventHandler`, when that side exists.
struct DecisionAgent: Agent {
    let name = "decision"
    let version = "1.0.0"
    let produces = [DecisionMade.eventType, ApprovalRequested.eventType]
    let capabilities = ["lending-decision"]
    let policy: LendingPolicy
    /// Simulated time to decide (a call to the pricing and policy services).
    var latency: Duration = .zero

    var handlers: [EventHandler] {
        EventHandler(RiskScored.self) { [policy, latency] risk, context in
            if latency > .zero { try await context.clock.sleep(for: latency) }
            let decision = policy.decide(risk, now: Date())
            try context.publish(decision.made)
            if let approval = decision.approval { try context.publish(approval) }
        }
    }
}
