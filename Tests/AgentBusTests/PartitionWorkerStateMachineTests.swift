@testable import AgentBus
import Testing

/// The per-partition flow rules, without Kafka: bounded read-ahead, hand-over to a waiting
/// worker, and what a revocation drops.
@Suite("PartitionWorker.StateMachine")
struct PartitionWorkerStateMachineTests {
    typealias Machine = PartitionWorker.StateMachine<Int>

    @Test("pauses when the read-ahead is full and resumes once half of it is done")
    func pauseAndResume() {
        var machine = Machine(maxBuffered: 4)
        let pauses = machine.arrived(1).pause
        #expect(!pauses)
        let pauses2 = machine.arrived(2).pause
        #expect(!pauses2)
        let pauses3 = machine.arrived(3).pause
        #expect(!pauses3)
        let pauses4 = machine.arrived(4).pause
        #expect(pauses4)
        // Records fetched before the pause took effect still arrive: queued, no second pause.
        let pauses5 = machine.arrived(5).pause
        #expect(!pauses5)
        #expect(machine.buffered == 5)
        guard case .records(let records) = machine.take() else { Issue.record("nothing to take"); return }
        #expect(Array(records) == [1, 2, 3, 4, 5])
        let resumes = machine.finished()
        #expect(!resumes)  // 4 left
        let resumes2 = machine.finished()
        #expect(!resumes2)  // 3
        let resumes3 = machine.finished()
        #expect(resumes3)  // 2 = half: resume
        #expect(!machine.isPaused)
        let resumes4 = machine.finished(2)
        #expect(!resumes4)
        #expect(machine.buffered == 0)
    }

    @Test("a pause the consumer refused is not remembered, so the next arrival pauses again")
    func refusedPause() {
        var machine = Machine(maxBuffered: 1)
        let pauses = machine.arrived(1).pause
        #expect(pauses)
        machine.pauseFailed()
        let pauses2 = machine.arrived(2).pause
        #expect(pauses2)
    }

    @Test("a waiting worker is handed the record at once")
    func handOver() {
        var machine = Machine(maxBuffered: 10)
        guard case .wait = machine.take() else { Issue.record("expected to wait"); return }
        let arrival = machine.arrived(7)
        #expect(arrival.handOver.map(Array.init) == [7])
        #expect(machine.queued.isEmpty)
        #expect(machine.buffered == 1)
        // Handed over once: the next arrival is queued.
        let handOver = machine.arrived(8).handOver
        #expect(handOver == nil)
    }

    @Test("ending drops what is queued, wakes a waiting worker, and drops later arrivals")
    func end() {
        var machine = Machine(maxBuffered: 2)
        _ = machine.arrived(1)
        _ = machine.arrived(2)  // paused
        guard case .records = machine.take() else { Issue.record("nothing to take"); return }
        _ = machine.arrived(3)
        let ended = machine.end()
        #expect(ended.dropped == 1)
        #expect(!ended.wakeWorker)
        #expect(machine.buffered == 2)  // the two the worker took are still its to finish
        let dropped = machine.arrived(4).dropped
        #expect(dropped)
        #expect(machine.buffered == 2)
        guard case .end = machine.take() else { Issue.record("expected the end"); return }
        // A worker of an ended partition never resumes it: a later assignment starts unpaused.
        let resumes = machine.finished(2)
        #expect(!resumes)

        var waiting = Machine(maxBuffered: 2)
        guard case .wait = waiting.take() else { Issue.record("expected to wait"); return }
        let wakes = waiting.end().wakeWorker
        #expect(wakes)
    }

    @Test("buffered records stay within the bound plus what arrives before a pause applies")
    func bounded() {
        // The consumer delivers up to `lag` more records after a pause was asked for, then
        // nothing until the partition is resumed; the worker finishes one record per step.
        for lag in [0, 3, 50] {
            var machine = Machine(maxBuffered: 8)
            var highest = 0
            var inFlight = 0  // delivered after the pause was asked for
            var taken: [Int] = []
            var next = 0
            for step in 0..<5_000 {
                if !machine.isPaused || inFlight < lag {
                    if machine.isPaused { inFlight += 1 }
                    let arrival = machine.arrived(next)
                    next += 1
                    if arrival.pause { inFlight = 0 }
                    taken += arrival.handOver ?? []
                }
                highest = max(highest, machine.buffered)
                if case .records(let records) = machine.take() { taken += records }
                if !taken.isEmpty, step % 3 == 0 {  // the worker is slower than the consumer
                    taken.removeFirst()
                    _ = machine.finished()
                }
            }
            #expect(highest <= 8 + lag, "lag \(lag): \(highest) buffered")
            #expect(next > 1_000, "lag \(lag): the partition was not resumed")
        }
    }
}
