import AgentBus
import AgentBusTesting
import Foundation
import Kafka
import Synchronization
import Testing

/// Effects, the handled marker and rate limits in the real runtime, on an embedded cluster in
/// this process: each test fails if the runtime runs an acknowledged effect again, drops an event
/// whose outputs were never delivered, or counts rate-limit waits as failed attempts.
@Suite("Effects in the runtime", .serialized, .timeLimit(.minutes(2)))
struct EffectRuntimeTests {
    typealias Work = AgentRuntimeInProcessTests.Work
    typealias Done = AgentRuntimeInProcessTests.Done

    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { $0 += 1; return $0 } }
        var count: Int { value.withLock { $0 } }
    }

    struct Flaky: Error {}

    /// Answers 429 to its first two calls, fails its third, and publishes on its fourth.
    struct ThrottledThenFlaky: Agent {
        let name = "throttled-then-flaky"
        let calls = Counter()
        var policies: AgentPolicies {
            AgentPolicies(retry: RetryPolicy(inPlaceAttempts: 1, retryTopicDelays: [.milliseconds(100)]))
        }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [calls] work, context in
                switch calls.next() {
                case 1, 2: throw ModelError(.rateLimited, "slow down", status: 429, retryAfter: .milliseconds(10))
                case 3: throw Flaky()
                default: try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
                }
            }
        }
    }

    @Test("attempts that waited out a 429 do not use up the retry policy: the next failure still gets its retry pass")
    func throttleDoesNotCount() async throws {
        let agent = ThrottledThenFlaky()
        let harness = try AgentHarness(agent, schemas: AgentRuntimeInProcessTests.fixtures)
        try await harness.publish(Work(id: "w", seq: 1, behavior: "ok"))
        let first = try #require(try await harness.activity(count: 1).first)
        try #require(first.outcome == .retried, "the first failure after two 429s went to \(first.outcome), not to its retry pass")
        let done = try await harness.events(Done.self, count: 1)
        #expect(done.map(\.id) == ["w"])
        #expect(agent.calls.count == 4)
        try await harness.stop()
    }
}
