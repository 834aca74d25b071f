import AgentBus
import Synchronization
import Testing

/// The breaker's states on a clock the test moves.
@Suite("Circuit breaker")
struct CircuitBreakerTests {
    struct Down: Error {}

    /// A clock that moves only when told.
    final class TestTime: Sendable {
        private let offset = Mutex(Duration.zero)
        private let start = ContinuousClock.now
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    }

    func fail(_ breaker: CircuitBreaker) async {
        _ = try? await breaker.run { () async throws -> Int in throw Down() }
    }

    @Test("opens after N failures within the window, then fails fast without calling")
    func opensAndFailsFast() async throws {
        let time = TestTime()
        let breaker = CircuitBreaker(name: "bureau", failureThreshold: 3, window: .seconds(10), openFor: .seconds(5)) { time.now }
        for _ in 0..<2 { await fail(breaker) }
        #expect(breaker.state == .closed)
        await fail(breaker)
        #expect(breaker.state == .open)
        let calls = Atomic<Int>(0)
        await #expect(throws: CircuitOpenError.self) {
            try await breaker.run { calls.add(1, ordering: .relaxed) }
        }
        #expect(calls.load(ordering: .relaxed) == 0, "an open breaker called the dependency")
    }

    @Test("failures spread wider than the window do not open it")
    func windowForgets() async {
        let time = TestTime()
        let breaker = CircuitBreaker(name: "bureau", failureThreshold: 3, window: .seconds(10), openFor: .seconds(5)) { time.now }
        for _ in 0..<5 {
            await fail(breaker)
            time.advance(.seconds(6))
        }
        #expect(breaker.state == .closed)
    }

    @Test("after openFor one probe goes through: success closes it, failure opens it again")
    func halfOpenProbe() async throws {
        let time = TestTime()
        let breaker = CircuitBreaker(name: "bureau", failureThreshold: 1, window: .seconds(10), openFor: .seconds(5)) { time.now }
        await fail(breaker)
        #expect(breaker.state == .open)
        time.advance(.seconds(5))
        #expect(breaker.state == .halfOpen)
        await fail(breaker)  // the probe fails
        #expect(breaker.state == .open)
        time.advance(.seconds(5))
        let value = try await breaker.run { 42 }
        #expect(value == 42)
        #expect(breaker.state == .closed)
    }

    @Test("while the probe runs, other calls fail fast")
    func oneProbeAtATime() async throws {
        let time = TestTime()
        let breaker = CircuitBreaker(name: "bureau", failureThreshold: 1, window: .seconds(10), openFor: .seconds(1)) { time.now }
        await fail(breaker)
        time.advance(.seconds(1))
        let (started, startedNow) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseNow) = AsyncStream.makeStream(of: Void.self)
        let probe = Task {
            try await breaker.run {
                startedNow.yield()
                for await _ in release { break }
            }
        }
        for await _ in started { break }
        await #expect(throws: CircuitOpenError.self) { try await breaker.run { 1 } }
        releaseNow.yield()
        try await probe.value
        #expect(breaker.state == .closed)
    }
}
