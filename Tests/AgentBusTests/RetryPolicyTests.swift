@testable import AgentBus
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(
        inPlaceAttempts: 3, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1),
        retryTopicDelays: [.seconds(10), .seconds(60)])

    @Test("backoff doubles per attempt up to the cap, scaled by the jitter draw (full jitter)")
    func backoffCeiling() {
        #expect(policy.backoff(afterAttempt: 1, random: 1) == .milliseconds(100))
        #expect(policy.backoff(afterAttempt: 2, random: 1) == .milliseconds(200))
        #expect(policy.backoff(afterAttempt: 4, random: 1) == .milliseconds(800))
        #expect(policy.backoff(afterAttempt: 5, random: 1) == .seconds(1))
        #expect(policy.backoff(afterAttempt: 500, random: 1) == .seconds(1))
        #expect(policy.backoff(afterAttempt: 3, random: 0.5) == .milliseconds(200))
        #expect(policy.backoff(afterAttempt: 3, random: 0) == .zero)
    }

    @Test("random draws stay within [0, ceiling]")
    func jitterBounds() {
        for attempt in 1...8 {
            let ceiling = policy.backoff(afterAttempt: attempt, random: 1)
            for _ in 0..<50 {
                let wait = policy.backoff(afterAttempt: attempt)
                #expect(wait >= .zero && wait <= ceiling)
            }
        }
    }

    @Test("after each pass of in-place attempts, the next retry-topic delay; then none")
    func retryTopicPasses() {
        #expect(policy.retryTopicDelay(afterAttempts: 3) == .seconds(10))
        #expect(policy.retryTopicDelay(afterAttempts: 6) == .seconds(60))
        #expect(policy.retryTopicDelay(afterAttempts: 9) == nil)
        #expect(RetryPolicy.none.retryTopicDelay(afterAttempts: 1) == nil)
    }

    @Test("at least one attempt per pass")
    func minimumAttempts() {
        #expect(RetryPolicy(inPlaceAttempts: 0).inPlaceAttempts == 1)
    }
}

@Suite("Dedupe window")
struct DedupeWindowTests {
    @Test("remembers recent IDs, forgets them past the window")
    func age() {
        let window = DedupeWindow(capacity: 10, window: .seconds(1))
        let key = DedupeWindow.key(source: "/cli", id: "a")
        #expect(!window.contains(key, now: 0))
        window.insert(key, now: 0)
        #expect(window.contains(key, now: 999))
        #expect(!window.contains(key, now: 1_001))
        #expect(!window.contains(DedupeWindow.key(source: "/other", id: "a"), now: 10))
    }

    @Test("keeps at most its capacity, oldest out first; a refreshed ID survives")
    func capacity() {
        let window = DedupeWindow(capacity: 3, window: .seconds(60))
        for id in ["a", "b", "c"] { window.insert(DedupeWindow.key(source: "s", id: id), now: 1) }
        window.insert(DedupeWindow.key(source: "s", id: "a"), now: 2)  // seen again
        window.insert(DedupeWindow.key(source: "s", id: "d"), now: 3)
        #expect(window.contains(DedupeWindow.key(source: "s", id: "a"), now: 4))
        #expect(!window.contains(DedupeWindow.key(source: "s", id: "b"), now: 4))
        #expect(window.contains(DedupeWindow.key(source: "s", id: "d"), now: 4))
    }

    @Test("capacity 0 turns deduplication off")
    func off() {
        let window = DedupeWindow(capacity: 0, window: .seconds(60))
        window.insert(DedupeWindow.key(source: "s", id: "k"), now: 0)
        #expect(!window.contains(DedupeWindow.key(source: "s", id: "k"), now: 0))
    }
}
