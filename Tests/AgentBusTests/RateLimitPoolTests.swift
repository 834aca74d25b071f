@testable import AgentBus
import AgentBusTesting
import Foundation
import Testing

/// The pool on a manual clock, without a broker or a provider: how long its limits and throttles
/// hold callers, in what order they go, and how a cancelled caller leaves.
@Suite("Rate-limit pool", .timeLimit(.minutes(1)))
struct RateLimitPoolTests {
    /// Callers' numbers, in the order the pool let them go.
    let grants: AsyncStream<Int>
    let granted: AsyncStream<Int>.Continuation

    init() { (grants, granted) = AsyncStream.makeStream(of: Int.self) }

    /// Starts callers `numbers` in order, each in line before the next starts (or gone already,
    /// if the pool wrongly let it go at once), each yielding its number to ``grants`` once the
    /// pool lets it go.
    @discardableResult
    func startWaiting(
        _ pool: RateLimitPool, _ numbers: ClosedRange<Int>, tokens: Int = 0
    ) async -> [Task<Void, any Error>] {
        var tasks: [Task<Void, any Error>] = []
        for number in numbers {
            let inLine = pool.waiting
            let (ended, end) = AsyncStream.makeStream(of: Never.self)
            tasks.append(
                Task { [granted] in
                    defer { end.finish() }
                    try await pool.acquire(estimatedTokens: tokens)
                    granted.yield(number)
                })
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await pool.waitUntilWaiting(inLine + 1) }
                group.addTask { for await _ in ended {} }
                await group.next()
                group.cancelAll()
            }
        }
        return tasks
    }

    /// The next `count` callers let go. Callers let go at one instant report in no set order:
    /// each runs on its own task.
    func next(_ count: Int, of order: inout AsyncStream<Int>.Iterator) async -> Set<Int> {
        var numbers: Set<Int> = []
        for _ in 0..<count { if let number = await order.next() { numbers.insert(number) } }
        return numbers
    }

    func at(_ milliseconds: Int64) -> ManualClock.Instant { ManualClock.Instant(offset: .milliseconds(milliseconds)) }

    @Test("a request limit spaces calls evenly: 60 a minute is one a second, each waiting exactly its turn")
    func requestsPerMinute() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(limit: RateLimit(requestsPerMinute: 60), clock: clock)
        try await pool.acquire()  // a full bucket (one second's worth: one request) goes at once
        await startWaiting(pool, 2...3)
        var order = grants.makeAsyncIterator()

        await clock.waitForSleepers()
        clock.advance(to: at(999))
        #expect(clock.sleeperCount == 1, "the second call still waits a millisecond before its second")
        clock.advance(to: at(1000))
        #expect(await order.next() == 2)

        await clock.waitForSleepers()
        clock.advance(to: at(1999))
        #expect(clock.sleeperCount == 1 && pool.waiting == 1)
        clock.advance(to: at(2000))
        #expect(await order.next() == 3)
        #expect(pool.waiting == 0)
    }

    @Test("an idle pool saves up one second's allowance: 600 a minute lets ten go at once, the eleventh 0.1 s later")
    func burst() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(limit: RateLimit(requestsPerMinute: 600), clock: clock)
        for _ in 1...10 { try await pool.acquire() }
        await startWaiting(pool, 11...11)
        var order = grants.makeAsyncIterator()
        await clock.waitForSleepers()
        clock.advance(to: at(99))
        #expect(clock.sleeperCount == 1)
        clock.advance(to: at(100))
        #expect(await order.next() == 11)
    }

    @Test("a token limit: usage settled gives back or takes, a call larger than the bucket leaves a debt later calls wait out")
    func tokensPerMinute() async throws {
        let clock = ManualClock()
        // 10 tokens a second, a bucket of 10.
        let pool = RateLimitPool(limit: RateLimit(tokensPerMinute: 600), clock: clock)
        try await pool.acquire(estimatedTokens: 10)
        pool.settle(estimatedTokens: 10, actualTokens: 4)  // 6 back
        try await pool.acquire(estimatedTokens: 6)  // at once, and the bucket is empty
        var order = grants.makeAsyncIterator()

        // 30 tokens, more than the bucket: goes with a full bucket (after 1 s), 20 in debt.
        await startWaiting(pool, 1...1, tokens: 30)
        await clock.waitForSleepers()
        clock.advance(to: at(999))
        #expect(clock.sleeperCount == 1)
        clock.advance(to: at(1000))
        #expect(await order.next() == 1)

        // 5 tokens wait for the debt of 20 and 5 more: 2.5 s.
        await startWaiting(pool, 2...2, tokens: 5)
        await clock.waitForSleepers()
        clock.advance(to: at(3499))
        #expect(clock.sleeperCount == 1)
        clock.advance(to: at(3500))
        #expect(await order.next() == 2)

        // Used 15 of the 5 estimated: 10 more in debt, so 1 token waits 1.1 s.
        pool.settle(estimatedTokens: 5, actualTokens: 15)
        await startWaiting(pool, 3...3, tokens: 1)
        await clock.waitForSleepers()
        clock.advance(to: at(4599))
        #expect(clock.sleeperCount == 1)
        clock.advance(to: at(4600))
        #expect(await order.next() == 3)
    }

    @Test("a throttle holds every caller, waiting or new, until its instant; a shorter one does not shorten it, a longer one extends it")
    func throttle() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(limit: .unlimited, clock: clock)
        pool.throttle(for: .seconds(5))
        await startWaiting(pool, 1...3)
        var order = grants.makeAsyncIterator()

        await clock.waitForSleepers()
        #expect(clock.sleeperCount == 1, "only the first in line waits on the clock; the others wait their turn")
        clock.advance(to: at(2000))
        pool.throttle(for: .seconds(1))
        clock.advance(to: at(4999))
        #expect(pool.waiting == 3)
        clock.advance(to: at(5000))
        #expect(await next(3, of: &order) == [1, 2, 3])

        pool.throttle(for: .seconds(2))  // until 7 s
        await startWaiting(pool, 4...4)
        await clock.waitForSleepers()
        clock.advance(to: at(6000))
        pool.throttle(for: .seconds(3))  // until 9 s, while the caller sleeps until 7 s
        clock.advance(to: at(7000))
        await clock.waitForSleepers()  // asleep again, until 9 s
        clock.advance(to: at(8999))
        #expect(clock.sleeperCount == 1 && pool.waiting == 1)
        clock.advance(to: at(9000))
        #expect(await order.next() == 4)
    }

    @Test("after a throttle calls resume at the steady rate, not with the burst saved up before it")
    func throttleDrainsBurst() async throws {
        let clock = ManualClock()
        // 10 a second, a minute saved up: 600 could go at once.
        let pool = RateLimitPool(limit: RateLimit(requestsPerMinute: 600, burst: .seconds(60)), clock: clock)
        pool.throttle(for: .seconds(1))
        await startWaiting(pool, 1...11)
        var order = grants.makeAsyncIterator()
        await clock.waitForSleepers()
        clock.advance(to: at(1000))
        #expect(await next(10, of: &order) == Set(1...10))  // what refilled during the second
        await clock.waitForSleepers()
        clock.advance(to: at(1099))
        #expect(pool.waiting == 1)
        clock.advance(to: at(1100))
        #expect(await order.next() == 11)
    }

    @Test("first come, first served: a large call is not overtaken by small ones that would fit sooner")
    func fifo() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(limit: RateLimit(tokensPerMinute: 600), clock: clock)  // 10 tokens a second
        try await pool.acquire(estimatedTokens: 10)
        await startWaiting(pool, 1...1, tokens: 10)  // needs 1 s
        await startWaiting(pool, 2...4, tokens: 1)  // each would fit in 0.1 s
        var order = grants.makeAsyncIterator()

        await clock.waitForSleepers()
        clock.advance(to: at(500))
        #expect(pool.waiting == 4, "no small call went ahead of the large one")
        clock.advance(to: at(1000))
        #expect(await order.next() == 1)
        for (number, milliseconds) in [(2, 1100), (3, 1200), (4, 1300)] as [(Int, Int64)] {
            await clock.waitForSleepers()
            clock.advance(to: at(milliseconds))
            #expect(await order.next() == number)
        }
    }

    @Test("a cancelled caller leaves the line at once with CancellationError, taking nothing; the next goes in its place")
    func cancellation() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(limit: RateLimit(requestsPerMinute: 60), clock: clock)
        try await pool.acquire()
        let tasks = await startWaiting(pool, 1...3)
        var order = grants.makeAsyncIterator()
        await clock.waitForSleepers()

        tasks[1].cancel()  // waiting its turn
        await #expect(throws: CancellationError.self) { try await tasks[1].value }
        #expect(pool.waiting == 2)
        tasks[0].cancel()  // first in line, asleep on the clock
        await #expect(throws: CancellationError.self) { try await tasks[0].value }
        #expect(pool.waiting == 1)

        await clock.waitForSleepers()  // the third, first in line now
        clock.advance(to: at(1000))
        #expect(await order.next() == 3)

        let cancelledBefore = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await pool.acquire()
        }
        await #expect(throws: CancellationError.self) { try await cancelledBefore.value }
        #expect(pool.waiting == 0)
    }

    @Test("pools are shared by host, port and model, whatever the path; the first limit holds")
    func registry() {
        let pools = RateLimitPools(clock: ManualClock())
        let limit = RateLimit(requestsPerMinute: 60)
        let pool = pools.pool(baseURL: URL(string: "https://API.example.com/v1")!, model: "m", limit: limit)
        #expect(pools.pool(baseURL: URL(string: "https://api.example.com:443/v2/")!, model: "m", limit: .unlimited) === pool)
        #expect(pool.limit == limit)
        #expect(pools.pool(baseURL: URL(string: "https://api.example.com/v1")!, model: "n", limit: limit) !== pool)
        #expect(pools.pool(baseURL: URL(string: "http://api.example.com/v1")!, model: "m", limit: limit) !== pool)
        #expect(RateLimitPools.key(baseURL: URL(string: "http://127.0.0.1:8765/v1")!, model: "smollm2-135m") == "127.0.0.1:8765|smollm2-135m")
        #expect(RateLimitPools.key(baseURL: URL(string: "https://api.openai.com/v1")!, model: "gpt-4o") == "api.openai.com:443|gpt-4o")
    }
}
