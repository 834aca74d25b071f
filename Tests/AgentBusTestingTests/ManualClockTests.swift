import AgentBusTesting
import Testing

@Suite("ManualClock", .timeLimit(.minutes(1)))
struct ManualClockTests {
    @Test("sleepers wake when the clock reaches their deadline, not before, in deadline order")
    func wakesAtDeadline() async throws {
        let clock = ManualClock()
        let woken = Recorder<Int>()
        let sleepers = [3, 1, 2].map { seconds in
            Task {
                try await clock.sleep(for: .seconds(seconds))
                woken.append(seconds)
            }
        }
        await clock.waitForSleepers(3)
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 3)
        clock.advance(by: .seconds(1))  // at 1.999 s: the one-second sleeper only
        #expect(clock.sleeperCount == 2)
        clock.advance(to: ManualClock.Instant(offset: .seconds(3)))
        for sleeper in sleepers { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
        #expect(Set(woken.all) == [1, 2, 3])
        #expect(clock.now.offset == .seconds(3))
    }

    @Test("a deadline already reached does not suspend; a cancelled sleeper throws and stops counting")
    func immediateAndCancelled() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(5))
        try await clock.sleep(until: ManualClock.Instant(offset: .seconds(4)))
        let sleeper = Task { try await clock.sleep(for: .seconds(1)) }
        await clock.waitForSleepers()
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }
}
