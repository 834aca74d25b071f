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

    /// Runs a lookup and then a charge, as effects. Its first attempt's lookup outlasts the
    /// handler deadline without heeding the cancellation, and returns only once the second
    /// attempt is charging; the second attempt's charge ends only after the first attempt did.
    struct AbandonedAttempt: Agent {
        let name = "abandoned-attempt"
        let usesEffects = true
        let charges = Counter()
        let secondCharging = Gate()
        let firstEnded = Gate()
        var policies: AgentPolicies {
            AgentPolicies(
                retry: RetryPolicy(inPlaceAttempts: 2, initialBackoff: .milliseconds(1), retryTopicDelays: []),
                handlerDeadline: .milliseconds(300))
        }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [charges, secondCharging, firstEnded] work, context in
                let attempt = context.attempt
                defer { if attempt == 1 { firstEnded.open() } }
                _ = try await context.effect("lookup") {
                    if attempt == 1 { await secondCharging.wait() }
                    return 1
                }
                let charge = try await context.effect("charge") {
                    if attempt == 2 {
                        secondCharging.open()
                        await firstEnded.wait()
                    }
                    return charges.next()
                }
                try context.publish(Done(id: work.id, seq: charge, attempt: attempt))
            }
        }
    }

    @Test("an attempt abandoned at its deadline starts no effect: the retry's charge is the only one")
    func abandonedAttemptStartsNoEffect() async throws {
        let agent = AbandonedAttempt()
        let harness = try AgentHarness(agent, schemas: AgentRuntimeInProcessTests.fixtures)
        try await harness.publish(Work(id: "w", seq: 1, behavior: "ok"))
        let done = try await harness.events(Done.self, count: 1)
        #expect(done.first?.attempt == 2)
        #expect(agent.firstEnded.isOpen)
        #expect(agent.charges.count == 1, "the abandoned first attempt charged too")
        try await harness.stop()
    }

    /// Publishes one Done per Work; larger than a Kafka message may be while `oversized`.
    struct Publisher: Agent {
        let name = "marker-publisher"
        let usesEffects = true
        var oversized: Bool
        var policies: AgentPolicies { AgentPolicies(retry: .none) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [oversized] work, context in
                let id = oversized ? String(repeating: "x", count: 1_200_000) : work.id
                try context.publish(Done(id: id, seq: work.seq, attempt: context.attempt))
            }
        }
    }

    @Test("an event whose output was not delivered is handled again after a restart, not dropped as a duplicate")
    func markerWaitsForOutputs() async throws {
        let harness = try AgentHarness(Publisher(oversized: true), schemas: AgentRuntimeInProcessTests.fixtures)
        try await harness.publish(Work(id: "w", seq: 1, behavior: "ok"))
        // The output is refused (larger than message.max.bytes): the instance stops, so its event is read again.
        _ = try await harness.activity(count: 1)
        await #expect(throws: AgentConfigurationError.self) { try await harness.stop() }

        let restarted = try AgentHarness(Publisher(oversized: false), joining: harness, instanceID: "restarted")
        let activity = try await harness.activity(count: 2)
        #expect(activity[1].instance == "restarted")
        try #require(activity[1].outcome == .ok, "the event was taken for a duplicate though its output never arrived")
        #expect(try await harness.events(Done.self, count: 1).map(\.id) == ["w"])
        try await restarted.stop()
    }
}
