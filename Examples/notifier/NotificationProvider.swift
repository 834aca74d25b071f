import AgentBus
import LoanEvents

/// Where a notification is delivered: an email, SMS or letter service.
///
/// The notifier calls ``send(_:context:)`` inside a journaled effect, so it is called at most once
/// per handled event, however often the event is handled (a retry, a redelivery after a crash, a
/// rebalance); a provider should still take the event's ID as an idempotency key where it can,
/// for the few milliseconds between its answer and the journal's.
protocol NotificationProvider: Sendable {
    /// Hands `notification` to the service; returns once the service accepted it.
    func send(_ notification: NotificationSent, context: HandlerContext) async throws
}
