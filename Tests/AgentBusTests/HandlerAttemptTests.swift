@testable import AgentBus
import Foundation
import Testing

/// A handler attempt raced against its deadline.
@Suite("HandlerAttempt")
struct HandlerAttemptTests {
    @Test("a handler that ignores cancellation is abandoned at its deadline and counted until it ends")
    func abandonedAtDeadline() async throws {
        let counters = RuntimeCounters()
        let watchdog = DeadlineWatchdog(tick: .milliseconds(10))
        let watching = Task { await watchdog.run() }
        defer { watching.cancel() }
        let gate = Gate()
        let attempt = HandlerAttempt(deadline: .now + .milliseconds(100), counters: counters)
        let watch = watchdog.watch(attempt)
        defer { watchdog.unwatch(watch) }
        let started = ContinuousClock.now
        let result = await attempt.run {
            await gate.wait()  // ignores cancellation
        }
        guard case .expired = result else {
            Issue.record("expected the deadline, got \(result)")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(counters.abandoned.load(ordering: .relaxed) == 1)

        gate.open()
        let deadline = ContinuousClock.now + .seconds(10)
        while counters.abandoned.load(ordering: .relaxed) != 0, ContinuousClock.now < deadline {
            await Task.yield()
        }
        #expect(counters.abandoned.load(ordering: .relaxed) == 0)
    }

    @Test("an attempt that ends first reports its own result and is not counted")
    func endsFirst() async {
        let counters = RuntimeCounters()
        let attempt = HandlerAttempt(deadline: .now + .seconds(60), counters: counters)
        struct Refused: Error {}
        let result = await attempt.run { throw Refused() }
        guard case .failed(let error) = result else {
            Issue.record("expected the handler's error, got \(result)")
            return
        }
        #expect(error is Refused)
        attempt.expire(.expired)  // too late: nothing happens
        #expect(counters.abandoned.load(ordering: .relaxed) == 0)
    }
}
