import AgentBus
import LoanEvents

/// A provider that delivers nothing and only takes its time to accept a message: the example's
/// stand-in for an email, SMS or letter service.
struct SimulatedNotificationProvider: NotificationProvider {
    /// Time for the provider to accept a message.
    var latency: Duration = .zero

    func send(_ notification: NotificationSent, context: HandlerContext) async throws {
        if latency > .zero { try await context.clock.sleep(for: latency) }
    }
}
