import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// Durable timers, cost budgets and workflow cancellation with agents as real processes: a
    /// timer outlives the SIGKILL of the instance that set it, a budget stops a loop between two
    /// processes, and `agentbus cancel` reaches a handler running in another process.
    @Suite("Coordination across processes")
    struct CoordinationProcessTests {
        /// How long after its handling the `timer` role's timer fires: longer than a restarted
        /// instance takes to be assigned its partitions after a kill (about 10 s on the embedded
        /// cluster, which first waits out the dead member's 6 s session), so the new owner holds
        /// the timer for a few seconds before it is due, and firing early would show.
        static let timerDelayMs = 14_000

        @Test("a timer set before a SIGKILL fires exactly once after the restart, not before it is due, as a child of the event that set it")
        func timerSurvivesKill() async throws {
            let agent = "test-timer"
            let timersTopic = AgentTopics.timers(of: agent)
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: ["--agent", agent, "--retry-delays", "none"])
            let environment = ["AGENTBUS_TEST_TIMER_MS": "\(Self.timerDelayMs)"]
            // Commits its offsets at once, so the restarted instance does not handle the work again:
            // that would set the timer anew and hide a timer lost with the killed process.
            let first = try AgentProcess.testAgent(
                role: "timer", instance: "timer-1", broker: broker, environment: environment,
                arguments: ["-X", "auto.commit.interval.ms=100"])
            try await first.waitUntilAssigned()
            let watcher = try await TopicWatcher.start([timersTopic, TestTypes.doneTopic], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let work = publisher.root(TestTypes.work, WorkPayload(id: "remind", seq: 0, behavior: "ok").json)
            let delivered = try await publisher.send(work)
            await publisher.close()

            // The timer is on <agent>.timers and the work's offset is committed: the handling is
            // complete, and all that is left of it is the timer record.
            let timerSet = await watcher.waitFor { !$0[timersTopic].isEmpty }
            try #require(timerSet, "\(first.tail)")
            let timer = try #require(watcher[timersTopic].first)
            #expect(timer.key?.validUTF8String == "\(work.correlationID)/reminder")
            let due = try #require(timer.header(TimerHeader.due).flatMap { Int64($0) })
            let committed = try await Self.waitUntilCommitted(
                group: agent, KafkaTopicPartition(topic: TestTypes.workTopic, partition: delivered.partition),
                past: delivered.offset, broker: broker)
            try #require(committed, "the work's offset was not committed\n\(first.tail)")
            try #require(EventTime.now().millisecondsSinceEpoch < due, "the kill must come before the timer is due")

            await first.kill()
            let killedAt = EventTime.now().millisecondsSinceEpoch
            #expect(watcher.contents.count(TestTypes.doneTopic) == 0, "the timer fired before it was due")

            let second = try AgentProcess.testAgent(role: "timer", instance: "timer-2", broker: broker, environment: environment)
            try await second.waitUntilAssigned()
            let assignedAt = EventTime.now().millisecondsSinceEpoch
            let fired = await watcher.waitFor(timeout: .milliseconds(Self.timerDelayMs) + .seconds(30)) {
                $0.count(TestTypes.doneTopic) >= 1
            }
            try #require(fired, "the timer did not fire after the restart\n\(second.tail)")
            // Fired, then retired: its tombstone follows the acknowledged event.
            let retired = await watcher.waitFor { contents in contents[timersTopic].contains { $0.value.isEmpty } }
            #expect(retired, "no tombstone for the fired timer\n\(second.tail)")
            // Read on for well past the firing loop's tick: nothing fires a second time.
            let firedAgain = await watcher.waitFor(timeout: .seconds(2)) { $0.count(TestTypes.doneTopic) > 1 }
            #expect(!firedAgain, "the timer fired more than once")
            #expect(await second.stop() == 0, "\(second.tail)")
            await watcher.stop()

            // Stopped, so everything it wrote is on the topics now.
            let written = try await snapshot([TestTypes.doneTopic, AgentTopics.activity], broker)
            let done = written[TestTypes.doneTopic]
            #expect(done.count == 1, "fired \(done.count) times")
            let event = try #require(done.first?.envelope)
            #expect(event.id == timer.envelope?.id, "the fired event is the one the timer record holds")
            #expect(event.causationID == work.id)
            #expect(event.correlationID == work.correlationID)
            #expect(event.decode(DonePayload.self) == DonePayload(id: "remind", seq: 0, attempt: 1))
            let firedAt = try #require(event.time?.millisecondsSinceEpoch)
            #expect(firedAt >= due, "fired \(due - firedAt) ms before it was due")
            // The work was handled once, by the killed instance: the restarted one fired a timer
            // it read back, not one it set itself.
            let handlings = written[AgentTopics.activity].compactMap { $0.decode(ActivityRecord.self) }
                .filter { $0.eventId == work.id }
            #expect(handlings.map(\.instance) == ["timer-1"])
            print(
                "timerSurvivesKill: timer-2 assigned \(assignedAt - killedAt) ms after the kill, \(due - assignedAt) ms "
                    + "before the timer was due; fired \(firedAt - due) ms after it was due")
            await broker.stop()
        }

        @Test("a ping-pong loop spending 1 per handling ends at a cost budget of 5: the handling that crosses it is dead-lettered with class budget and publishes nothing")
        func costBudgetStopsLoop() async throws {
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: ["--agent", "test-ping", "--agent", "test-pong", "--retry-delays", "none"])
            let spending = ["AGENTBUS_TEST_COST": "1", "AGENTBUS_TEST_MAX_WORKFLOW_COST": "5"]
            let ping = try AgentProcess.testAgent(role: "ping", instance: "ping-1", broker: broker, environment: spending)
            let pong = try AgentProcess.testAgent(role: "pong", instance: "pong-1", broker: broker, environment: spending)
            try await ping.waitUntilAssigned()
            try await pong.waitUntilAssigned()
            let topics = [TestTypes.pingTopic, TestTypes.pongTopic, "test-ping.dlt", "test-pong.dlt", AgentTopics.activity]
            let watcher = try await TopicWatcher.start(topics, broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let root = publisher.root(TestTypes.ping, Array(#"{"n":0}"#.utf8))
            try await publisher.send(root)
            await publisher.close()

            // Pings carry costs 0, 2 and 4, pongs 1, 3 and 5: test-pong's handling of the pong at 5
            // spends 1 more, past the budget, so its ping (at 6) is never sent. Well within the
            // default hop limit of 32.
            let stopped = await watcher.waitFor {
                $0.count("test-pong.dlt") >= 1 && $0.activity.contains { $0.outcome == .deadLettered }
            }
            #expect(stopped, "\(ping.tail)\n\(pong.tail)")
            #expect(await watcher.waitFor { $0.activity.count >= 6 })
            await watcher.stop()
            // Stopped, so everything either process wrote is on the topics now.
            await withTaskGroup(of: Void.self) { group in
                for agent in [ping, pong] { group.addTask { _ = await agent.stop() } }
            }
            let written = try await snapshot(topics, broker)
            await broker.stop()

            let activity = written[AgentTopics.activity].compactMap { $0.decode(ActivityRecord.self) }
            let summary = activity.map { "\($0.agent) \($0.outcome.rawValue) \($0.published.count)" }.sorted()
            #expect(summary == [
                "test-ping ok 1", "test-ping ok 1", "test-ping ok 1",
                "test-pong dead-lettered 0", "test-pong ok 1", "test-pong ok 1",
            ], "\(summary)")
            let pings = written[TestTypes.pingTopic].compactMap(\.envelope)
            let pongs = written[TestTypes.pongTopic].compactMap(\.envelope)
            #expect(pings.map(\.cost).sorted() == [0, 2, 4])
            #expect(pongs.map(\.cost).sorted() == [1, 3, 5])
            #expect((pings + pongs).allSatisfy { $0.correlationID == root.id })

            #expect(written["test-ping.dlt"].isEmpty)
            let deadLetters = written["test-pong.dlt"]
            #expect(deadLetters.count == 1)
            let deadLetter = try #require(deadLetters.first)
            #expect(deadLetter.header(RuntimeHeader.failureClass) == "budget")
            #expect(deadLetter.header(RuntimeHeader.agent) == "test-pong")
            #expect(deadLetter.header(RuntimeHeader.attempts) == "1")
            // The event as it came: what the workflow had spent before the handling that crossed.
            #expect(deadLetter.header(EnvelopeHeader.cost) == "5.0")
            let reason = deadLetter.header(RuntimeHeader.exceptionMessage) ?? ""
            #expect(reason.contains("workflow spent 6.0, past its cost budget of 5.0") && reason.contains("its outputs were not sent"), "\(reason)")
            let overBudget = try #require(pongs.first { $0.cost == 5 })
            #expect(deadLetter.header(EnvelopeHeader.id) == overBudget.id)
            #expect(activity.first { $0.outcome == .deadLettered }?.eventId == overBudget.id)
        }

        @Test("agentbus cancel gives up a running handler of the workflow at once; it and later events of the workflow are recorded cancelled, other workflows go on")
        func cancelStopsWorkflow() async throws {
            let agent = "test-slow"
            let broker = try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: ["--agent", agent, "--retry-delays", "none"])
            // A deadline far past the handler's sleep: only the cancel can end it early.
            let slow = try AgentProcess.testAgent(
                role: "slow", instance: "slow-1", broker: broker, environment: ["AGENTBUS_TEST_DEADLINE_MS": "60000"])
            try await slow.waitUntilAssigned()
            let watcher = try await TopicWatcher.start([TestTypes.doneTopic, AgentTopics.activity], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let running = publisher.root(TestTypes.work, WorkPayload(id: "slow", seq: 0, behavior: "sleep", sleepMs: 20_000).json)
            let workflow = running.correlationID
            try await publisher.send(running)
            #expect(await slow.waitFor("slow handler started"), "\(slow.tail)")

            let start = ContinuousClock.now
            let cancel = try await agentbus(["cancel", workflow, "--reason", "test"], broker)
            #expect(cancel.status == 0, "\(cancel.errors)")
            #expect(cancel.output.first?.hasPrefix("cancelled \(workflow) (agentbus.control/") == true, "\(cancel.output)")
            let recorded = await watcher.waitFor(timeout: .seconds(30)) { $0.activity.contains { $0.eventId == running.id } }
            let elapsed = ContinuousClock.now - start
            try #require(recorded, "\(slow.tail)")
            #expect(elapsed < .seconds(10), "the running handler was given up \(elapsed) after the cancel")
            let givenUp = try #require(watcher.contents.activity.first { $0.eventId == running.id })
            #expect(givenUp.outcome == .cancelled)
            #expect(givenUp.published.isEmpty)
            #expect(givenUp.error?.contains("test") == true, "\(givenUp.error ?? "no reason")")
            #expect(givenUp.finishedAt - givenUp.startedAt < 10_000)

            let later = publisher.root(
                TestTypes.work, WorkPayload(id: "later", seq: 1, behavior: "ok").json, correlationID: workflow)
            let other = publisher.root(TestTypes.work, WorkPayload(id: "other", seq: 2, behavior: "ok").json)
            try await publisher.send(later)
            try await publisher.send(other)
            await publisher.close()
            let settled = await watcher.waitFor { contents in
                [later.id, other.id].allSatisfy { id in contents.activity.contains { $0.eventId == id } }
            }
            #expect(settled, "\(slow.tail)")
            let activity = watcher.contents.activity
            #expect(activity.first { $0.eventId == later.id }?.outcome == .cancelled)
            #expect(activity.first { $0.eventId == other.id }?.outcome == .ok)
            await watcher.stop()
            #expect(await slow.stop() == 0, "\(slow.tail)")

            // Stopped, so every output it sent is on the topic: only the other workflow's.
            let done = try await snapshot([TestTypes.doneTopic], broker)[TestTypes.doneTopic].compactMap(\.envelope)
            #expect(done.map(\.causationID) == [other.id])
            #expect(!done.contains { $0.correlationID == workflow })
            await broker.stop()
        }

        /// Waits until `group` has committed an offset past `offset` in `partition`. No event tells
        /// a test that a group committed, so this asks the broker every 50 ms.
        static func waitUntilCommitted(
            group: String, _ partition: KafkaTopicPartition, past offset: Int64, broker: DevBrokerProcess
        ) async throws -> Bool {
            let admin = try KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: [broker.bootstrapServers]))
            defer { admin.close() }
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let committed = try await admin.committedOffsets(group: group, partitions: [partition])
                if let next = committed.first?.offset, next > offset { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
    }
}
