@testable import AgentBus
import AgentBusTesting
import Foundation
import Kafka
import Testing

/// Timers, state, cancellation and budgets, through a real runtime on an embedded cluster.
@Suite("Coordination building blocks", .serialized, .timeLimit(.minutes(2)))
struct CoordinationTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas").path

    struct Work: TypedEvent {
        static let eventType = "test.agentbus.work.v1"
        var id: String
        var seq: Int
        var behavior: String
    }

    struct Done: TypedEvent {
        static let eventType = "test.agentbus.done.v1"
        var id: String
        var seq: Int
        var attempt: Int
    }

    /// Sets and cancels timers, counts in its state, spends cost: what it does is the part of the
    /// work's ID before its first `:`.
    struct Coordinator: Agent {
        let name = "coordinator"
        let usesTimers = true
        let usesState = true
        let capabilities = ["work-doing"]
        var policies: AgentPolicies { AgentPolicies(retry: .none, maxWorkflowCost: 2.5) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { work, context in
                switch work.id.split(separator: ":").first ?? "" {
                case "timer":
                    try context.schedule(Done(id: "fired", seq: work.seq, attempt: 1), after: .milliseconds(300), name: "t")
                case "cancel-timer":
                    try context.cancelTimer(named: "t")
                case "count":
                    let count = (try context.state(Int.self, for: "count:\(work.id)") ?? 0) + 1
                    try context.setState(count, for: "count:\(work.id)")
                    try context.publish(Done(id: work.id, seq: count, attempt: context.attempt))
                case "slowcount":
                    // Read, wait, write: two of one workflow at once would both read the same.
                    let count = (try context.state(Int.self, for: "slowcount:\(context.event.correlationID)") ?? 0) + 1
                    try await Task.sleep(for: .milliseconds(300))
                    try context.setState(count, for: "slowcount:\(context.event.correlationID)")
                    try context.publish(Done(id: work.id, seq: count, attempt: context.attempt))
                case "handoff":
                    // Asks whoever does work: this agent itself, whose answer never comes, so the
                    // deadline fires. An unknown capability fails the handling.
                    let capability = work.seq == 0 ? "work-doing" : "nobody-offers-this"
                    try context.handOff(
                        Work(id: "done-by-peer", seq: 1, behavior: "ok"), toCapability: capability,
                        within: .milliseconds(300), orElse: Done(id: "handoff timed out", seq: 0, attempt: 1), name: "svc")
                case "spend":
                    context.addCost(1)
                    // A loop: each step causes the next, spending one unit each time.
                    try context.publish(Work(id: work.id, seq: work.seq + 1, behavior: "ok"))
                default:
                    try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
                }
            }
        }
    }

    @Test("a timer fires once, after its due time, as a child of the event that set it")
    func timerFires() async throws {
        let harness = try AgentHarness(Coordinator(), schemas: Self.fixtures, partitions: 2, instanceID: "timers")
        let setAt = Date()
        let cause = try await harness.publish(Work(id: "timer:w1", seq: 1, behavior: "ok")).envelope
        let fired = try await harness.envelopes(of: Done.eventType, count: 1)
        let firedAt = Date()
        #expect(fired.first?.causationID == cause.id)
        #expect(fired.first?.correlationID == cause.correlationID)
        #expect(try fired.first?.decode(as: Done.self).id == "fired")
        #expect(firedAt.timeIntervalSince(setAt) >= 0.3, "fired before it was due")
        // Nothing fires twice: a later marker event is the next Done on the topic.
        try await harness.publish(Work(id: "marker", seq: 2, behavior: "ok"), correlationID: cause.correlationID)
        let next = try await harness.envelopes(of: Done.eventType, count: 2)
        #expect(try next.map { try $0.decode(as: Done.self).id } == ["fired", "marker"])
        try await harness.stop()
    }

    @Test("a cancelled timer does not fire")
    func timerCancelled() async throws {
        let harness = try AgentHarness(Coordinator(), schemas: Self.fixtures, partitions: 1, instanceID: "timers")
        let setAt = ContinuousClock.now
        let cause = try await harness.publish(Work(id: "timer:w1", seq: 1, behavior: "ok")).envelope
        try await harness.publish(Work(id: "cancel-timer:w1", seq: 2, behavior: "ok"), correlationID: cause.correlationID)
        // Both handled (the cancellation is written with the second's outputs)...
        _ = try await harness.activity(count: 2)
        // ...then past the due time and a few firing ticks (the assertion is about time), a
        // marker: the first Done is the marker, not the timer.
        try await Task.sleep(until: setAt + .milliseconds(300) + TimerService.tick * 5)
        try await harness.publish(Work(id: "marker", seq: 3, behavior: "ok"), correlationID: cause.correlationID)
        let done = try await harness.envelopes(of: Done.eventType, count: 1)
        #expect(try done.map { try $0.decode(as: Done.self).id } == ["marker"])
        try await harness.stop()
    }

    @Test("state is read back in later handlings, and a new instance restores it from the changelog")
    func stateSurvivesRestart() async throws {
        let first = try AgentHarness(Coordinator(), schemas: Self.fixtures, partitions: 1, instanceID: "state-1")
        for seq in 0..<3 { try await first.publish(Work(id: "count:k", seq: seq, behavior: "ok"), key: "k") }
        let counts = try await first.events(Done.self, count: 3).map(\.seq)
        #expect(counts == [1, 2, 3])
        try await first.stop()

        // A second runtime on the same cluster: it must restore "count:k" = 3 before handling.
        let second = try AgentHarness(Coordinator(), joining: first, instanceID: "state-2")
        try await second.publish(Work(id: "count:k", seq: 3, behavior: "ok"), key: "k")
        let after = try await second.events(Done.self, count: 4).map(\.seq)
        #expect(after.last == 4, "the new instance did not restore the state: \(after)")
        try await second.stop()
    }

    @Test("two events of one workflow on different partitions run one after the other: neither overwrites the other's state")
    func oneHandlingPerWorkflow() async throws {
        let harness = try AgentHarness(Coordinator(), schemas: Self.fixtures, partitions: 2, instanceID: "locks")
        let workflow = "wf-locked"
        // Keys that land on different partitions, so two workers take them at the same time.
        var partitions: Set<Int32> = []
        var key = 0
        while partitions.count < 2 {
            let published = try await harness.publish(
                Work(id: "slowcount:\(key)", seq: key, behavior: "ok"), key: "k\(key)", correlationID: workflow)
            if !partitions.insert(published.partition).inserted {
                // Same partition as an earlier one: still counted, just not concurrent.
            }
            key += 1
        }
        let counts = try await harness.events(Done.self, count: key).map(\.seq).sorted()
        #expect(counts == Array(1...key), "a count was lost to a concurrent handling: \(counts)")
        try await harness.stop()
    }

    @Test("a handoff goes to a live agent offering the capability, and its deadline fires when no answer cancels it; an unknown capability fails")
    func handOffWithDeadline() async throws {
        let harness = try AgentHarness(Coordinator(), schemas: Self.fixtures, partitions: 1, instanceID: "handoff")
        // Discovery needs the agent's own registry record and a heartbeat: they come within its
        // first heartbeat interval.
        try await harness.publish(Work(id: "marker", seq: 0, behavior: "ok"))
        _ = try await harness.envelopes(of: Done.eventType, count: 1)
        // Tried until discovery has seen the agent live; earlier tries are dead-lettered.
        var handedOff: EventEnvelope?
        var failures = 0
        for attempt in 0..<50 where handedOff == nil {
            let request = try await harness.publish(Work(id: "handoff:\(attempt)", seq: 0, behavior: "ok")).envelope
            let activity = try await harness.activity(count: 2 + attempt)
            if activity.contains(where: { $0.eventId == request.id && $0.outcome == .ok }) {
                handedOff = request
            } else {
                failures += 1
            }
        }
        let request = try #require(handedOff, "the agent never found itself offering work-doing")
        let done = try await harness.envelopes(of: Done.eventType, count: 3)
        let timedOut = try #require(done.first { $0.causationID == request.id })
        #expect(try timedOut.decode(as: Done.self).id == "handoff timed out")
        let unknown = try await harness.publish(Work(id: "handoff:x", seq: 1, behavior: "ok")).envelope
        let letters = try await harness.deadLetters(count: failures + 1)
        let letter = try #require(letters.first { (try? EventEnvelope(record: $0.record))?.id == unknown.id })
        #expect(letter.reason?.contains("no live agent offers \"nobody-offers-this\"") == true, "\(letter.reason ?? "")")
        try await harness.stop()
    }

    @Test("events of a cancelled workflow are skipped and recorded as cancelled")
    func cancelledWorkflow() async throws {
        let harness = try AgentHarness(Coordinator(), schemas: Self.fixtures, partitions: 1, instanceID: "cancel")
        let correlation = "wf-cancelled"
        let control = WorkflowControl(
            action: .cancel, correlationId: correlation, reason: "customer withdrew", requestedBy: "test", host: "here",
            time: EventTime.now().millisecondsSinceEpoch)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [harness.cluster.bootstrapServers]))
        _ = try await producer.send(topic: AgentTopics.control, key: correlation, value: control.jsonBytes)
        try await producer.close()
        // Give the follower the control record, then publish into the workflow, and a marker
        // into another one: the marker comes out, the cancelled one does not.
        try await waitUntil { harness.knowsCancelled(correlation) }
        let skipped = try await harness.publish(Work(id: "skipped", seq: 1, behavior: "ok"), correlationID: correlation).envelope
        try await harness.publish(Work(id: "marker", seq: 2, behavior: "ok"))
        let done = try await harness.events(Done.self, count: 1)
        #expect(done.map(\.id) == ["marker"])
        let activity = try await harness.activity(count: 2)
        let record = try #require(activity.first { $0.eventId == skipped.id })
        #expect(record.outcome == .cancelled)
        #expect(record.error?.contains("customer withdrew") == true)
        try await harness.stop()
    }

    @Test("a workflow spending past its cost budget is stopped by the handling that crosses it, with class budget")
    func costBudget() async throws {
        let harness = try AgentHarness(Coordinator(), schemas: Self.fixtures, partitions: 1, instanceID: "budget")
        try await harness.publish(Work(id: "spend:loop", seq: 0, behavior: "ok"))
        let letters = try await harness.deadLetters(count: 1)
        #expect(letters.first?.failureClass == .budget)
        #expect(letters.first?.reason?.contains("workflow spent 3.0, past its cost budget of 2.5 in this handling") == true, "\(letters.first?.reason ?? "")")
        // The third step spent 1 on top of the 2 its input carried: its outputs were not sent, so
        // the dead letter is that step's input, and no event past the budget exists.
        let crossing = try EventEnvelope(record: try #require(letters.first?.record))
        #expect(crossing.cost == 2)
        #expect(crossing.hops == 2)
        try await harness.stop()
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// The state replica and the per-workflow locks, without Kafka.
@Suite("State store")
struct StateStoreTests {
    func record(_ key: String, _ value: String, offset: Int64, writeID: String? = nil) -> KafkaRecord {
        KafkaRecord(
            topic: "agent.state", partition: 0, offset: offset, key: Array(key.utf8), value: Array(value.utf8),
            headers: writeID.map { [KafkaHeader(name: StateHeader.writeID, value: $0)] } ?? [])
    }

    @Test("a record read again (the follower started over) does not put an older value back")
    func rereadKeepsNewest() {
        let store = StateStore(topic: "agent.state")
        store.apply(record("k", "1", offset: 0))
        store.apply(record("k", "2", offset: 1))
        store.apply(record("k", "1", offset: 0))
        #expect(store.value(for: "k") == Array("2".utf8))
    }

    @Test("a replica that has read nothing is not caught up for the first assignment (generation 0) either")
    func firstAssignmentWaits() async {
        let store = StateStore(topic: "agent.state")
        #expect(!store.isCaughtUp(for: 0), "a restarted instance would handle events with its workflows' state unread")
        let waiting = Task { await store.catchUp(to: [0: 1], generation: 0) }
        store.apply(record("k", "1", offset: 0))
        #expect(await waiting.value)
        #expect(store.isCaughtUp(for: 0))
        #expect(!store.isCaughtUp(for: 1))
    }

    @Test("an own change shows at once, is cleared when read back, and a change never sent is withdrawn")
    func overlay() {
        let store = StateStore(topic: "agent.state")
        store.apply(record("k", "base", offset: 0))
        let sent = RuntimeWrite(
            topic: "agent.state", key: "k", value: Array("mine".utf8), headers: [], stateChange: .init(writeID: "w1"))
        store.applyLocal([sent])
        #expect(store.value(for: "k") == Array("mine".utf8))
        store.apply(record("k", "mine", offset: 1, writeID: "w1"))
        store.apply(record("k", "theirs", offset: 2))
        #expect(store.value(for: "k") == Array("theirs".utf8), "the overlay was cleared when read back")
        let unsent = RuntimeWrite(
            topic: "agent.state", key: "k", value: Array("lost".utf8), headers: [], stateChange: .init(writeID: "w2"))
        store.applyLocal([unsent])
        store.withdraw(unsent)
        #expect(store.value(for: "k") == Array("theirs".utf8))
    }

    @Test("a workflow is held by one handling at a time")
    func locks() {
        let locks = WorkflowLocks()
        #expect(locks.tryAcquire("wf"))
        #expect(!locks.tryAcquire("wf"))
        #expect(locks.tryAcquire("other"))
        locks.release("wf")
        #expect(locks.tryAcquire("wf"))
    }
}
