import AgentBus
import Foundation
import LoanEvents

/// Tells the applicant how their application ended, and publishes a ``NotificationSent``: the
/// workflow's last event. It ends at a ``DecisionMade`` that needs no human approval (the decision
/// agent's own, or its final one after a person approved or rejected), or at an
/// ``AssessmentFailed``.
struct NotifierAgent: Agent {
    let name = "notifier"
    let version = "1.0.0"
    let produces = [NotificationSent.eventType]
    var capabilities: [String] { ["applicant-notification:\(composer.channel.rawValue)"] }
    let composer: NotificationComposer
    /// Simulated time for the provider to accept a message.
    var providerLatency: Duration = .zero

    var handlers: [EventHandler] {
        EventHandler(DecisionMade.self) { [composer, providerLatency] decision, context in
            guard let notification = composer.notification(for: decision, at: Date()) else { return }
            try await Self.send(notification, after: providerLatency, context)
        }
        EventHandler(AssessmentFailed.self) { [composer, providerLatency] failed, context in
            try await Self.send(composer.notification(for: failed, at: Date()), after: providerLatency, context)
        }
    }

    /// Hands `notification` to the (simulated) provider, then publishes it.
    static func send(_ notification: NotificationSent, after latency: Duration, _ context: HandlerContext) async throws {
        if latency > .zero { try await context.clock.sleep(for: latency) }
        try context.publish(notification)
    }
}
