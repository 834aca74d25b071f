import AgentBus
import Foundation
import Testing

/// The supervisor's judgement on explicit times, without Kafka.
@Suite("Supervisor rules")
struct SupervisorRulesTests {
    static let start: Int64 = 1_795_252_800_000

    func heartbeat(
        _ status: Heartbeat.Status = .running, instance: String = "worker-1", at time: Int64, lag: Int64 = 0,
        abandoned: Int = 0
    ) -> Heartbeat {
        Heartbeat(
            agent: "worker", instance: instance, version: "1.0.0", host: "host", pid: 1, status: status,
            startedAt: Self.start, time: time, intervalMs: 1_000, handled: 0, failed: 0, retried: 0, deadLettered: 0,
            duplicates: 0, lag: lag, inFlight: 0, partitions: [], abandoned: abandoned)
    }

    func activity(
        _ correlation: String, type: String, at time: Int64, outcome: ActivityRecord.Outcome = .ok, id: String? = nil
    ) -> ActivityRecord {
        ActivityRecord(
            agent: "worker", instance: "worker-1", eventId: id ?? "\(correlation)-\(time)", type: type, source: "/cli",
            correlationId: correlation, causationId: nil, topic: "work", partition: 0, offset: 7, receivedAt: time,
            startedAt: time, finishedAt: time, outcome: outcome, attempts: 1, published: [], failureClass: nil, error: nil)
    }

    func rules(_ change: (inout SupervisorThresholds) -> Void = { _ in }) -> SupervisorRules {
        var thresholds = SupervisorThresholds()
        change(&thresholds)
        return SupervisorRules(thresholds: thresholds, supervisor: "supervisor")
    }

    func kinds(_ alerts: [SupervisorAlert]) -> [SupervisorAlert.Kind] { alerts.map(\.kind) }

    @Test("an instance gone quiet is silent after N intervals and dead after M, each raised once")
    func silentThenDead() {
        var rules = rules()
        rules.observe(heartbeat(at: Self.start))
        #expect(rules.evaluate(now: Self.start + 1_500).isEmpty)
        let silent = rules.evaluate(now: Self.start + 2_500)
        #expect(kinds(silent) == [.instanceSilent])
        #expect(silent.first?.severity == .warning)
        #expect(silent.first?.subject == .init(agent: "worker", instance: "worker-1"))
        #expect(silent.first?.observed.silentForMs == 2_500)
        #expect(rules.evaluate(now: Self.start + 2_900).isEmpty, "not again while it holds")
        let dead = rules.evaluate(now: Self.start + 3_100)
        #expect(kinds(dead) == [.instanceDead])
        #expect(dead.first?.severity == .critical)
        #expect(dead.first?.message == "worker/worker-1 sent no heartbeat for 3.1 s (over 3 intervals of 1 s) and never said it stopped")
        #expect(rules.evaluate(now: Self.start + 60_000).isEmpty)
    }

    @Test("an instance that said stopped is not alerted however long it stays away")
    func stoppedIsQuiet() {
        var rules = rules()
        rules.observe(heartbeat(at: Self.start))
        rules.observe(heartbeat(.stopped, at: Self.start + 500))
        #expect(rules.evaluate(now: Self.start + 30_000).isEmpty)
    }

    @Test("an instance that comes back clears its alerts, and a second silence is raised again")
    func clearsAndRaisesAgain() {
        var rules = rules()
        rules.observe(heartbeat(at: Self.start))
        #expect(kinds(rules.evaluate(now: Self.start + 3_500)) == [.instanceSilent, .instanceDead])
        rules.observe(heartbeat(at: Self.start + 4_000))
        #expect(rules.evaluate(now: Self.start + 4_100).isEmpty)
        #expect(kinds(rules.evaluate(now: Self.start + 6_500)) == [.instanceSilent])
    }

    @Test("unhealthy and lag-high come from the heartbeat, once each, and clear with it")
    func unhealthyAndLag() {
        var rules = rules { $0.lag = 100 }
        rules.observe(heartbeat(.unhealthy, at: Self.start, lag: 101, abandoned: 9))
        let alerts = rules.evaluate(now: Self.start + 10)
        #expect(kinds(alerts) == [.instanceUnhealthy, .lagHigh])
        #expect(alerts.first?.observed.abandoned == 9)
        #expect(alerts.last?.observed.lag == 101 && alerts.last?.observed.threshold == 100)
        rules.observe(heartbeat(.unhealthy, at: Self.start + 1_000, lag: 500))
        #expect(rules.evaluate(now: Self.start + 1_010).isEmpty)
        rules.observe(heartbeat(.running, at: Self.start + 2_000, lag: 5))
        #expect(rules.evaluate(now: Self.start + 2_010).isEmpty)
        rules.observe(heartbeat(.running, at: Self.start + 3_000, lag: 200))
        #expect(kinds(rules.evaluate(now: Self.start + 3_010)) == [.lagHigh])
    }

    @Test("an older heartbeat does not replace a newer one")
    func olderHeartbeatIgnored() {
        var rules = rules()
        rules.observe(heartbeat(.stopped, at: Self.start + 1_000))
        rules.observe(heartbeat(.running, at: Self.start))
        #expect(rules.evaluate(now: Self.start + 10_000).isEmpty)
    }

    @Test("a dead-letter topic that gains K within the window is raised once; it clears when the window empties")
    func deadLettersGrowing() {
        var rules = rules {
            $0.deadLetterGrowth = 3
            $0.deadLetterWindow = .seconds(60)
        }
        rules.observeDeadLetter(topic: "worker.dlt", at: Self.start)
        rules.observeDeadLetter(topic: "worker.dlt", at: Self.start + 70_000)
        rules.observeDeadLetter(topic: "worker.dlt", at: Self.start + 80_000)
        #expect(rules.evaluate(now: Self.start + 80_000).isEmpty, "3 dead letters, but not within 60 s")
        rules.observeDeadLetter(topic: "worker.dlt", at: Self.start + 90_000)
        let alerts = rules.evaluate(now: Self.start + 90_000)
        #expect(kinds(alerts) == [.deadLettersGrowing])
        #expect(alerts.first?.subject == .init(agent: "worker", topic: "worker.dlt"))
        #expect(alerts.first?.observed.deadLetters == 3)
        rules.observeDeadLetter(topic: "worker.dlt", at: Self.start + 95_000)
        #expect(rules.evaluate(now: Self.start + 95_000).isEmpty, "still growing: not news")
        #expect(rules.evaluate(now: Self.start + 200_000).isEmpty)
        for offset in [201_000, 202_000, 203_000] as [Int64] { rules.observeDeadLetter(topic: "worker.dlt", at: Self.start + offset) }
        #expect(kinds(rules.evaluate(now: Self.start + 203_000)) == [.deadLettersGrowing], "raised again after it cleared")
    }

    @Test("a workflow idle past its deadline before a terminal type is stalled once; new activity re-arms it")
    func workflowStalled() {
        var rules = rules {
            $0.stallAfter = .seconds(10)
            $0.terminalTypes = ["done"]
        }
        rules.observe(activity("wf-1", type: "work", at: Self.start, id: "evt-1"))
        rules.observe(activity("wf-2", type: "work", at: Self.start))
        rules.observe(activity("wf-2", type: "done", at: Self.start + 1_000))
        #expect(rules.evaluate(now: Self.start + 9_000).isEmpty)
        let alerts = rules.evaluate(now: Self.start + 10_500)
        #expect(kinds(alerts) == [.workflowStalled])
        #expect(alerts.first?.subject == .init(agent: "worker", correlationId: "wf-1"))
        #expect(alerts.first?.observed.lastEventId == "evt-1")
        #expect(alerts.first?.observed.idleMs == 10_500)
        #expect(rules.lastActivity(ofWorkflow: "wf-1")?.eventId == "evt-1")
        #expect(rules.evaluate(now: Self.start + 15_000).isEmpty)
        rules.observe(activity("wf-1", type: "work", at: Self.start + 16_000, outcome: .deadLettered))
        #expect(rules.evaluate(now: Self.start + 20_000).isEmpty)
        #expect(kinds(rules.evaluate(now: Self.start + 26_500)) == [.workflowStalled])
        // A late record of a finished workflow does not revive it.
        rules.observe(activity("wf-2", type: "work", at: Self.start + 2_000))
        #expect(rules.trackedWorkflows == 1)
    }

    @Test("a terminal event no agent handles, or a cancellation, ends a workflow: it is never stalled")
    func terminalEventAndCancel() {
        var rules = rules {
            $0.stallAfter = .seconds(10)
            $0.terminalTypes = ["done"]
        }
        rules.observe(activity("wf-told", type: "work", at: Self.start))
        rules.observe(activity("wf-cancelled", type: "work", at: Self.start))
        rules.observe(activity("wf-idle", type: "work", at: Self.start))
        // wf-told's last event is a "done" on its topic; wf-cancelled's next event was skipped.
        rules.observeTerminalEvent(correlationID: "wf-told")
        rules.observe(activity("wf-cancelled", type: "work", at: Self.start + 500, outcome: .cancelled))
        let alerts = rules.evaluate(now: Self.start + 20_000)
        #expect(alerts.map(\.subject.correlationId) == ["wf-idle"])
        #expect(rules.trackedWorkflows == 1)
    }

    @Test("the alerts' own activity is not progress, and without terminal types workflows are not watched")
    func alertsAndUnwatched() {
        var watched = rules {
            $0.stallAfter = .seconds(10)
            $0.terminalTypes = ["done"]
        }
        watched.observe(activity("wf-1", type: "work", at: Self.start))
        #expect(kinds(watched.evaluate(now: Self.start + 11_000)) == [.workflowStalled])
        watched.observe(activity("wf-1", type: SupervisorAlert.eventType, at: Self.start + 11_500))
        #expect(watched.evaluate(now: Self.start + 30_000).isEmpty)

        var unwatched = rules()
        unwatched.observe(activity("wf-1", type: "work", at: Self.start))
        #expect(unwatched.trackedWorkflows == 0)
        #expect(unwatched.evaluate(now: Self.start + 3_600_000).isEmpty)
    }

    @Test("memory stays bounded: the idlest workflows are dropped past the cap, the stopped and long dead forgotten")
    func boundedMemory() {
        var rules = rules {
            $0.maxTrackedWorkflows = 100
            $0.terminalTypes = ["done"]
            $0.forgetAfter = .seconds(60)
        }
        for index in 0..<1_000 {
            rules.observe(activity("wf-\(index)", type: "work", at: Self.start + Int64(index)))
        }
        #expect(rules.trackedWorkflows <= 100)
        #expect(rules.droppedWorkflows >= 900)
        #expect(rules.lastActivity(ofWorkflow: "wf-999") != nil, "the newest are kept")
        #expect(rules.lastActivity(ofWorkflow: "wf-0") == nil)
        for index in 0..<1_000 { rules.observe(activity("done-\(index)", type: "done", at: Self.start)) }
        #expect(rules.trackedWorkflows <= 100)

        for index in 0..<50 { rules.observe(heartbeat(index % 2 == 0 ? .stopped : .running, instance: "w-\(index)", at: Self.start)) }
        #expect(rules.trackedInstances == 50)
        _ = rules.evaluate(now: Self.start + 61_000 + 5 * 60_000)
        #expect(rules.trackedInstances == 0)
        #expect(rules.trackedWorkflows == 0)
    }
}
