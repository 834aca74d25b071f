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

    @Test("an attempt given up before it runs, or run by a cancelled worker, never starts its handler")
    func givenUpBeforeRunning() async {
        let counters = RuntimeCounters()
        let started = Gate()
        let early = HandlerAttempt(deadline: .now + .seconds(60), counters: counters)
        early.expire(.stopped)
        guard case .stopped = await early.run({ started.open() }) else {
            Issue.record("an attempt expired before it ran still ran")
            return
        }

        let cancelledWorker = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await HandlerAttempt(deadline: .now + .seconds(60), counters: counters).run { started.open() }
        }
        guard case .stopped = await cancelledWorker.value else {
            Issue.record("a cancelled worker started a handler")
            return
        }
        #expect(!started.isOpen)
        #expect(counters.abandoned.load(ordering: .relaxed) == 0)
    }
}
