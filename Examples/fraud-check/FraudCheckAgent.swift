import AgentBus
import Foundation
import LoanEvents

/// Screens each application whose ``ApplicationReceived/requiredChecks`` list
/// ``AssessmentCheck/fraud`` and publishes a ``FraudChecked``; other applications are left alone.
///
/// Different applications are screened concurrently (ordering by key: the applications' keys
/// are their workflows), so one slow screening holds back only its own workflow. The handler
/// deadline is stretched past the slow path, so a slow screening is late, not cancelled (unless
/// ``FraudCheckFaults/handlerDeadline`` says otherwise).
struct FraudCheckAgent: Agent {
    let name = "fraud-check"
    let version = "1.0.0"
    let produces = [FraudChecked.eventType]
    let capabilities = ["fraud-screening"]
    let screener: any FraudScreener
    var faults = FraudCheckFaults()

    var policies: AgentPolicies {
        AgentPolicies(ordering: .key(maxInFlight: 64), handlerDeadline: faults.effectiveHandlerDeadline)
    }

    var handlers: [EventHandler] {
        EventHandler(ApplicationReceived.self) { [screener, faults] application, context in
            guard application.requiredChecks.contains(.fraud) else { return }
            if faults.fails(eventID: context.event.id, attempt: context.attempt) {
                throw SimulatedOutage(attempt: context.attempt, failures: faults.transientFailures)
            }
            let latency = faults.latency(for: application.applicantId)
            if latency > .zero { try await context.clock.sleep(for: latency) }
            try context.publish(try await screener.screen(application))
        }
    }
}
