@testable import AgentBus
import AgentBusTesting
import Foundation
import Synchronization
import Testing

/// A provider's 429 that escapes a handler (``ModelError`` of kind `rateLimited`), through the
/// real runtime on an embedded cluster in this process: the runtime waits out its `Retry-After`
/// and tries again without counting the attempt against the retry policy, its retry-topic passes
/// included.
@Suite("Runtime throttle", .serialized, .timeLimit(.minutes(2)))
struct RuntimeThrottleTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas").path

    struct Work: TypedEvent {
        static let eventType = "test.agentbus.work.v1"
        var id: String
        var seq: Int
        var behavior: String
    }

    struct Overloaded: Error {}

    /// The handler's attempts so far, across the runtime's retries.
    final class Counter: Sendable {
        let count = Mutex(0)

        func next() -> Int {
            count.withLock { count in
                count += 1
                return count
            }
        }
    }

    /// Answers 429 (Retry-After 10 ms) to its first `throttles` attempts, then fails every
    /// attempt transiently: 2 attempts in place, one pass through a retry topic.
    struct Throttled: Agent {
        let name = "throttled-worker"
        let throttles: Int
        let attempts = Counter()

        var policies: AgentPolicies {
            AgentPolicies(retry: RetryPolicy(
                inPlaceAttempts: 2, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(1),
                retryTopicDelays: [.milliseconds(50)]))
        }

        var handlers: [EventHandler] {
            EventHandler(Work.self) { [attempts, throttles] _, _ in
                if attempts.next() <= throttles {
                    throw ModelError(.rateLimited, "slow down", status: 429, retryAfter: .milliseconds(10))
                }
                throw Overloaded()
            }
        }
    }

    @Test("throttled attempts do not use up retry-topic passes: after 5 429s the event still gets its retry pass, and its 4 failed attempts")
    func throttlesKeepRetryPasses() async throws {
        let agent = Throttled(throttles: 5)
        let harness = try AgentHarness(agent, schemas: Self.fixtures)
        try await harness.publish(Work(id: "w", seq: 0, behavior: "ok"))
        let letter = try #require(try await harness.deadLetters(count: 1).first)
        let first = try #require(try await harness.activity(count: 1).first)
        try await harness.stop()

        #expect(first.outcome == .retried, "the first pass went to the retry topic, not the dead letters")
        #expect(first.attempts == 2)
        #expect(letter.failureClass == .transient)
        #expect(letter.attempts == 4, "two passes of two attempts; the throttled ones do not count")
        #expect(agent.attempts.count.withLock { $0 } == 5 + 4)
    }
}
