import AgentBus
import Foundation
import LoanEvents

/// Takes in applications as the channels send them: normalizes and validates each, decides the
/// checks it needs, and publishes it as an ``ApplicationReceived``, which the checks fan out
/// from. An application that breaks a business rule is refused with a ``PermanentFailure`` that
/// names every rule it breaks, so it goes to `intake.dlt` at once.
struct IntakeAgent: Agent {
    let name = "intake"
    let version = "1.0.0"
    let produces = [ApplicationReceived.eventType]
    let capabilities = ["application-intake"]
    /// The rules; a model-backed reader of free-form applications would sit in front of them.
    let normalizer: ApplicationNormalizer
    /// Simulated time to take an application in (a call to the customer and document services).
    var latency: Duration = .zero

    var handlers: [EventHandler] {
        EventHandler(ApplicationSubmitted.self) { [normalizer, latency] submitted, context in
            if latency > .zero { try await context.clock.sleep(for: latency) }
            let application = try normalizer.normalize(submitted)
            context.logger.debug("accepted", metadata: ["checks": "\(application.requiredChecks.map(\.rawValue))"])
            try context.publish(application)
        }
    }
}
