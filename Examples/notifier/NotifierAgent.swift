import AgentBus
import Foundation
import LoanEvents

/// Tells the applicant how their application ended, and publishes a ``NotificationSent``: the
/// workflow's last event. It ends at a ``DecisionMade`` that needs no human approval (the decision
/// agent's own, or its final one after a person approved or rejected), or at an
/// ``AssessmentFailed``.
///
/// The send is an effect (`send`, journaled in `notifier.journal`): an event handled again after
/// a crash or a rebalance, before its offset was stored, publishes the notification the first
/// handling sent, from the journal, instead of sending it again.
struct NotifierAgent: Agent {
    let name = "notifier"
    let version = "1.0.0"
    let produces = [NotificationSent.eventType]
    let usesEffects = true
    var capabilities: [String] { ["applicant-notification:\(composer.channel.rawValue)"] }
    let composer: NotificationComposer
    var provider: any NotificationProvider = SimulatedNotificationProvider()
    /// The time a notification is composed at; the send's journal keeps the first one's.
    var now: @Sendable () -> Date = { Date() }

    var handlers: [EventHandler] {
        EventHandler(DecisionMade.self) { [composer, provider, now] decision, context in
            guard let notification = composer.notification(for: decision, at: now()) else { return }
            try await Self.send(notification, via: provider, context)
        }
        EventHandler(AssessmentFailed.self) { [composer, provider, now] failed, context in
            try await Self.send(composer.notification(for: failed, at: now()), via: provider, context)
        }
    }

    /// Hands `notification` to `provider` once per event, then publishes what was sent: on a
    /// handling after the first, the journaled notification (with the time it was really sent),
    /// not this one.
    static func send(_ notification: NotificationSent, via provider: any NotificationProvider, _ context: HandlerContext)
        async throws
    {
        let sent = try await context.effect("send") {
            try await provider.send(notification, context: context)
            return notification
        }
        try context.publish(sent)
    }
}
