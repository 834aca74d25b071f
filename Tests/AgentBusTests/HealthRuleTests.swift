import Testing

@testable import AgentBus

/// `/healthz`'s rule and `/readyz`'s broker check, on injected times and checks.
@Suite("Health rule and broker reachability")
struct HealthRuleTests {
    static let second: UInt64 = 1_000_000_000
    let rule = HealthRule()
    let now = 1_000 * second

    @Test("healthy while the polling loop and the pool's tick moved within 30 s")
    func healthy() {
        #expect(rule.problem(now: now, lastPoll: now - 29 * Self.second, lastTick: now - 30 * Self.second) == nil)
        // A timestamp taken after `now` on another thread counts as now.
        #expect(rule.problem(now: now, lastPoll: now + 5, lastTick: now + 5) == nil)
    }

    @Test("a polling loop stalled past 30 s is unhealthy, whatever the pool does")
    func stalledPolling() {
        let problem = rule.problem(now: now, lastPoll: now - 31 * Self.second, lastTick: now)
        #expect(problem == "the consumer's polling loop made no progress for 31 s (limit 30 s)")
    }

    @Test("a pool that ran no task for 30 s (handlers blocking its threads) is unhealthy")
    func starvedPool() {
        let problem = rule.problem(now: now, lastPoll: now, lastTick: now - 45 * Self.second)
        #expect(problem?.hasPrefix("no task ran on the Swift concurrency pool for 45 s (limit 30 s)") == true, "\(problem ?? "nil")")
    }

    @Test("the limits are settings")
    func limits() {
        let strict = HealthRule(pollStallLimit: .seconds(2), tickStallLimit: .seconds(2))
        #expect(strict.problem(now: now, lastPoll: now - 3 * Self.second, lastTick: now) != nil)
        #expect(strict.problem(now: now, lastPoll: now, lastTick: now - 3 * Self.second) != nil)
    }

    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "Local: Broker transport failure" }
    }

    @Test("the broker check runs at most once per maximum age and reports why it failed")
    func reachabilityIsCached() throws {
        let reachability = BrokerReachability(maximumAge: .seconds(60), timeout: .milliseconds(250))
        var calls = 0
        var timeouts: [Duration] = []
        let first = reachability.problem { timeout in
            calls += 1
            timeouts.append(timeout)
        }
        #expect(first == nil)
        let second = reachability.problem { _ in
            calls += 1
            throw Unreachable()
        }
        #expect(second == nil)  // the first answer, still fresh
        #expect(calls == 1)
        #expect(timeouts == [.milliseconds(250)])

        let fresh = BrokerReachability(maximumAge: .zero)
        let down = fresh.problem { _ in throw Unreachable() }
        #expect(down == "no broker reachable: Local: Broker transport failure")
        let up = fresh.problem { _ in }
        #expect(up == nil)
    }
}
