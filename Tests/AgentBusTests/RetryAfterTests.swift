@testable import AgentBus
import Testing

/// How a provider's `Retry-After` is read and waited out: whatever it says, the agent neither
/// crashes nor calls again at once for ever.
@Suite("Retry-After")
struct RetryAfterTests {
    @Test("a 429 without a Retry-After, or with 0, is waited out for 1 s, as the rate-limit pool does, not retried at once")
    func zeroWaitsASecond() {
        #expect(HandlerFailure(ModelError(.rateLimited, "slow down", retryAfter: .zero)).throttle == .seconds(1))
        #expect(HandlerFailure(ModelError(.rateLimited, "slow down")).throttle == .seconds(1))
        #expect(HandlerFailure(ModelError(.rateLimited, "slow down", retryAfter: .seconds(3))).throttle == .seconds(3))
    }

    @Test("a Retry-After that is not finite is no Retry-After, and one of more than a day is a day: neither traps")
    func outOfRange() {
        #expect(OpenAICompatibleClient.retryAfter("2") == .seconds(2))
        #expect(OpenAICompatibleClient.retryAfter(" 0.5 ") == .milliseconds(500))
        #expect(OpenAICompatibleClient.retryAfter("-1") == nil)
        #expect(OpenAICompatibleClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(OpenAICompatibleClient.retryAfter("inf") == nil)
        #expect(OpenAICompatibleClient.retryAfter("1e300") == .seconds(86_400))
    }
}
