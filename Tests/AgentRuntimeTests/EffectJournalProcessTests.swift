import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// The effect journal's promise, kept by real processes: whatever happens to the instance
    /// that called the model (killed, retried, dead-lettered and redriven, its partition moved
    /// to another instance, restarted), the model is called once per event and every later
    /// handling publishes the answer of that one call, with the same output ID.
    ///
    /// The test agent's `effects` role runs the effect `lookup` (a random score) and a model
    /// call to the stand-in server, whose answers number themselves (`"call": n`); the calls are
    /// counted at the server (`GET /calls`).
    @Suite("Effect journal: no model call repeated")
    struct EffectJournalProcessTests {
        static let agent = "test-effects"
        static let journalTopic = AgentTopics.journal(of: agent)
        /// No retry delays: the one retry topic, where a redrive sends dead letters, is the 0 s tier.
        static let retryTopic = "test-effects.retry.0s"
        static let deadLetterTopic = AgentTopics.deadLetter(of: agent)

        /// A dev-broker with the agent's topics, the model server, a watcher of what the agent
        /// writes, and a publisher of work.
        struct Setup {
            let broker: DevBrokerProcess
            let model: ModelStubServer
            let watcher: TopicWatcher
            let publisher: TestPublisher

            static func start(topics: String? = nil) async throws -> Setup {
                let broker = try await DevBrokerProcess.start(
                    topics: topics, schemas: Paths.fixtureSchemas,
                    arguments: ["--agent", EffectJournalProcessTests.agent, "--retry-delays", "none"])
                return Setup(
                    broker: broker, model: try ModelStubServer(),
                    watcher: try await TopicWatcher.start(
                        [TestTypes.doneTopic, AgentTopics.activity, journalTopic, deadLetterTopic], broker: broker),
                    publisher: try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas))
            }

            /// The `effects` role calling the model server; `holdMs`: how long it waits after a
            /// live model call before going on.
            func agent(_ instance: String, holdMs: Int = 0, arguments: [String] = []) throws -> AgentProcess {
                var environment = ["AGENTBUS_TEST_MODEL_URL": model.baseURL]
                if holdMs > 0 { environment["AGENTBUS_TEST_HOLD_MS"] = String(holdMs) }
                return try AgentProcess.testAgent(
                    role: "effects", instance: instance, broker: broker, environment: environment, arguments: arguments)
            }

            func work(_ id: String, behavior: String = "ok", untilAttempt: Int? = nil, file: String? = nil) -> EventEnvelope {
                publisher.root(
                    TestTypes.work, WorkPayload(id: id, seq: 0, behavior: behavior, untilAttempt: untilAttempt, file: file).json)
            }

            func stop(_ agents: [AgentProcess]) async {
                await watcher.stop()
                await publisher.close()
                model.stop()
                await stopAll(agents, broker)
            }
        }

        /// The ID every handling of `work` gives its output.
        static func outputID(of work: EventEnvelope) -> String {
            EventID.derived(from: work.id, agent: agent, type: TestTypes.done, index: 0).description
        }

        /// The outputs on test.done caused by `work`.
        static func outputs(of work: EventEnvelope, in contents: TopicWatcher.Contents) -> [EventEnvelope] {
            contents[TestTypes.doneTopic].compactMap(\.envelope).filter { $0.causationID == work.id }
        }

        /// The activity records of `work`'s handlings that ended with `outcome`.
        static func activity(
            of work: EventEnvelope, _ outcome: ActivityRecord.Outcome, in contents: TopicWatcher.Contents
        ) -> [ActivityRecord] {
            contents.activity.filter { $0.eventId == work.id && $0.outcome == outcome }
        }

        /// The journal records of `work`'s effect (or marker) `name`.
        static func journaled(_ name: String, of work: EventEnvelope, in contents: TopicWatcher.Contents) -> [KafkaRecord] {
            contents[journalTopic].filter { $0.key?.validUTF8String == "\(work.id)/\(name)" }
        }

        /// Checks the one output of `work`: its ID, and the answer of the server's first call
        /// (the only one there may be). Returns its payload.
        @discardableResult
        static func expectOneOutput(of work: EventEnvelope, in contents: TopicWatcher.Contents) throws -> DonePayload {
            let outputs = Self.outputs(of: work, in: contents)
            #expect(outputs.count == 1, "one output record for \(work.id), not \(outputs.count)")
            let output = try #require(outputs.first)
            #expect(output.id == Self.outputID(of: work))
            let done = try #require(try? JSONDecoder().decode(DonePayload.self, from: Data(output.data)))
            let answer = try #require(done.answer, "the output carries the model's answer")
            #expect(answer.contains(#""call": 1,"#), "the answer of the server's first call: \(answer)")
            return done
        }

        /// The score of the `lookup` effect, from an output's ID (`<work id>:<score>/<tokens>`).
        static func score(_ done: DonePayload) -> String? {
            done.id.split(separator: ":").last?.split(separator: "/").first.map(String.init)
        }

        @Test("SIGKILL after the model answered, before the output: the restarted agent publishes that answer, same ID; one call")
        func killedAfterModelCall() async throws {
            let setup = try await Setup.start()
            let killed = try setup.agent("effects-killed", holdMs: 60_000)
            try await killed.waitUntilAssigned()
            let work = setup.work("killed")
            try await setup.publisher.send(work)

            // The call returned (its answer journaled and acknowledged); the output is not sent.
            try #require(await killed.waitFor("model answered"), "\(killed.tail)")
            let answered = try #require(killed.log.first { $0.contains("model answered") })
            let killedAt = ContinuousClock.now
            await killed.kill()
            #expect(Self.outputs(of: work, in: setup.watcher.contents).isEmpty, "the killed instance published nothing")
            #expect(await setup.watcher.waitFor { Self.journaled("chat-0", of: work, in: $0).count == 1 },
                    "the killed instance's answer is on the journal")

            let restarted = try setup.agent("effects-restarted")
            let handled = await setup.watcher.waitFor { contents in
                !Self.outputs(of: work, in: contents).isEmpty && !Self.activity(of: work, .ok, in: contents).isEmpty
            }
            let takeover = ContinuousClock.now - killedAt
            #expect(handled, "\(restarted.tail)")
            await setup.watcher.waitFor { !Self.journaled(EffectJournal.handledMarker, of: work, in: $0).isEmpty }
            let contents = setup.watcher.contents
            let calls = try await setup.model.arrivals().count
            await setup.stop([restarted])

            let done = try Self.expectOneOutput(of: work, in: contents)
            // What the killed instance got from the model and the lookup, word for word.
            #expect(answered.contains("answer=\(done.answer ?? "-")"), "killed: \(answered)\noutput: \(done)")
            #expect(answered.contains("score=\(Self.score(done) ?? "-")"), "killed: \(answered)\noutput: \(done)")
            #expect(calls == 1, "the model server saw \(calls) calls")
            let activity = Self.activity(of: work, .ok, in: contents)
            #expect(activity.map(\.instance) == ["effects-restarted"])
            #expect(activity.first?.modelCalls.map(\.replayed) == [true], "the restarted handling replayed the call")
            #expect(activity.first?.published == [Self.outputID(of: work)])
            #expect(Self.journaled("chat-0", of: work, in: contents).count == 1, "the answer is journaled once")
            print("killedAfterModelCall: output \(takeover) after the SIGKILL")
        }

        @Test("a transient failure after the model call: the retry replays the answer; one output, one call")
        func retryAfterModelCall() async throws {
            let setup = try await Setup.start()
            let agent = try setup.agent("effects-1")
            try await agent.waitUntilAssigned()
            // Fails on its first attempt, after the model call; the in-place retry succeeds.
            let work = setup.work("retried", behavior: "fail-until-attempt", untilAttempt: 2)
            try await setup.publisher.send(work)

            #expect(await setup.watcher.waitFor { contents in
                !Self.outputs(of: work, in: contents).isEmpty && !Self.activity(of: work, .ok, in: contents).isEmpty
            }, "\(agent.tail)")
            let contents = setup.watcher.contents
            let calls = try await setup.model.arrivals().count
            await setup.stop([agent])

            let done = try Self.expectOneOutput(of: work, in: contents)
            #expect(done.attempt == 2)
            #expect(calls == 1, "the model server saw \(calls) calls")
            let activity = try #require(Self.activity(of: work, .ok, in: contents).first)
            #expect(activity.attempts == 2)
            #expect(activity.modelCalls.map(\.replayed) == [false, true], "called on attempt 1, replayed on attempt 2")
            #expect(agent.count("handler failed") == 1, "\(agent.tail)")
        }

        @Test("a permanent failure after the model call, dead-lettered, fixed and redriven: the journal's answer; one call")
        func redriveAfterModelCall() async throws {
            let setup = try await Setup.start()
            let agent = try setup.agent("effects-1")
            try await agent.waitUntilAssigned()
            // The handler fails after the model call while this file exists.
            let cause = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-cause-\(UUID().uuidString)")
            try Data("broken".utf8).write(to: cause)
            defer { try? FileManager.default.removeItem(at: cause) }
            let work = setup.work("redriven", behavior: "fail-while-file", file: cause.path)
            try await setup.publisher.send(work)

            #expect(await setup.watcher.waitFor { contents in
                contents.count(Self.deadLetterTopic) == 1 && !Self.activity(of: work, .deadLettered, in: contents).isEmpty
            }, "\(agent.tail)")
            let failed = try #require(Self.activity(of: work, .deadLettered, in: setup.watcher.contents).first)
            #expect(failed.modelCalls.map(\.replayed) == [false, true, true], "called once in 3 attempts")
            #expect(try await setup.model.arrivals().count == 1)

            try FileManager.default.removeItem(at: cause)
            let redrive = try await agentbus(["dlt", "redrive", Self.agent], setup.broker)
            #expect(redrive.status == 0, "\(redrive.errors)")
            #expect(redrive.output.last == "redrove 1 dead letter(s) to \(Self.retryTopic)", "\(redrive.output)")
            #expect(await setup.watcher.waitFor { contents in
                !Self.outputs(of: work, in: contents).isEmpty
                    && Self.activity(of: work, .ok, in: contents).contains { $0.topic == Self.retryTopic }
            }, "\(agent.tail)")
            let contents = setup.watcher.contents
            let calls = try await setup.model.arrivals().count
            let answered = agent.log.first { $0.contains("model answered") } ?? ""
            await setup.stop([agent])

            let done = try Self.expectOneOutput(of: work, in: contents)
            #expect(answered.contains("answer=\(done.answer ?? "-")"), "first attempt: \(answered)\noutput: \(done)")
            #expect(calls == 1, "the model server saw \(calls) calls")
            let redriven = try #require(Self.activity(of: work, .ok, in: contents).first)
            #expect(redriven.modelCalls.map(\.replayed) == [true], "the redriven handling replayed the call")
            #expect(contents.count(Self.deadLetterTopic) == 1, "the redriven event did not fail again")
        }

        @Test("a rebalance past the revoke deadline after the model call: the other instance publishes that answer; one call per event")
        func rebalanceAfterModelCall() async throws {
            let setup = try await Setup.start(topics: "test.work:2")
            // A holds after each live call far longer than its revoke deadline.
            let first = try setup.agent("effects-a", holdMs: 60_000, arguments: ["--revoke-deadline", "1"])
            try await first.waitUntilAssigned()
            #expect(CrashTests.workPartitions(first.log) == [0, 1])
            // One work item per partition: whichever partition moves to B, B takes over one.
            let works = [setup.work("moved-0"), setup.work("moved-1")]
            for (partition, work) in works.enumerated() { try await setup.publisher.send(work, partition: Int32(partition)) }
            try #require(await first.waitFor("model answered", count: 2), "\(first.tail)")
            let answeredByA = first.log.filter { $0.contains("model answered") }
            let joinedAt = ContinuousClock.now

            // B joins; the eager rebalance revokes both partitions from A, whose handlers are
            // abandoned at the revoke deadline; one partition moves to B.
            let second = try setup.agent("effects-b")
            let split = await AgentProcess.waitUntil([first, second], timeout: .seconds(90)) { logs in
                let (a, b) = (CrashTests.workPartitions(logs[0]), CrashTests.workPartitions(logs[1]))
                return a.count == 1 && b.count == 1 && a.isDisjoint(with: b)
            }
            try #require(split, "\(first.tail)\n\(second.tail)")
            let handled = await setup.watcher.waitFor { contents in
                works.allSatisfy { !Self.outputs(of: $0, in: contents).isEmpty && !Self.activity(of: $0, .ok, in: contents).isEmpty }
            }
            let takeover = ContinuousClock.now - joinedAt
            #expect(handled, "\(first.tail)\n\(second.tail)")
            #expect(first.count("revoke deadline reached") >= 1, "A's handlers were abandoned\n\(first.tail)")
            let calls = try await setup.model.arrivals().count
            // A graceful stop flushes whatever either instance still had to send.
            #expect(await first.stop() == 0, "\(first.tail)")
            #expect(await second.stop() == 0, "\(second.tail)")
            let outputs = try await Self.records(TestTypes.doneTopic, setup.broker)
            let contents = setup.watcher.contents
            await setup.stop([])

            #expect(calls == 2, "the model server saw \(calls) calls for 2 events")
            #expect(outputs.count == 2, "one output record per event on \(TestTypes.doneTopic), not \(outputs.count)")
            let movedToB = CrashTests.workPartitions(second.log)
            for (partition, work) in works.enumerated() {
                let done = try #require(Self.outputs(of: work, in: contents).first)
                let payload = try #require(try? JSONDecoder().decode(DonePayload.self, from: Data(done.data)))
                #expect(done.id == Self.outputID(of: work))
                // The answer A got before it lost the partition, word for word.
                #expect(answeredByA.contains { $0.contains("answer=\(payload.answer ?? "-")") }, "\(payload)\n\(answeredByA)")
                let activity = Self.activity(of: work, .ok, in: contents)
                #expect(activity.count == 1)
                #expect(activity.first?.modelCalls.map(\.replayed) == [true], "\(work.id) was handled again from the journal")
                if movedToB.contains(Int32(partition)) {
                    #expect(activity.first?.instance == "effects-b", "B handled the work of the partition it took")
                }
            }
            print("rebalanceAfterModelCall: both outputs \(takeover) after B started; B took test.work/\(movedToB.sorted())")
        }

        /// The records on a topic, read to its end.
        static func records(_ topic: String, _ broker: DevBrokerProcess) async throws -> [KafkaRecord] {
            try await snapshot([topic], broker).records[topic] ?? []
        }

        @Test("the same event again after a restart: recorded as a duplicate from the journal's handled marker, no second output")
        func durableDuplicate() async throws {
            let setup = try await Setup.start()
            let first = try setup.agent("effects-1")
            try await first.waitUntilAssigned()
            let work = setup.work("twice")
            try await setup.publisher.send(work)
            #expect(await setup.watcher.waitFor { contents in
                !Self.outputs(of: work, in: contents).isEmpty && !Self.activity(of: work, .ok, in: contents).isEmpty
            }, "\(first.tail)")
            #expect(await first.stop() == 0, "\(first.tail)")

            // A new process: its in-memory dedupe window is empty; only the journal knows.
            let restarted = try setup.agent("effects-2")
            try await restarted.waitUntilAssigned()
            try await setup.publisher.send(work)
            #expect(await setup.watcher.waitFor { contents in
                contents.activity.contains { $0.eventId == work.id && $0.instance == "effects-2" }
            }, "\(restarted.tail)")
            let calls = try await setup.model.arrivals().count
            #expect(await restarted.stop() == 0)
            let outputs = try await Self.records(TestTypes.doneTopic, setup.broker)
            let contents = setup.watcher.contents
            await setup.stop([])

            let again = contents.activity.filter { $0.eventId == work.id && $0.instance == "effects-2" }
            #expect(again.map(\.outcome) == [.duplicate], "the second copy is a duplicate: \(again.map(\.outcome))")
            #expect(outputs.count == 1, "no second output record: \(outputs.count)")
            #expect(outputs.first?.envelope?.id == Self.outputID(of: work))
            #expect(calls == 1, "the model server saw \(calls) calls")
            // What the journal costs an event: a record per effect and the handled marker.
            let entries = contents[Self.journalTopic].compactMap { $0.key?.validUTF8String }.filter { $0.hasPrefix("\(work.id)/") }
            #expect(entries.sorted() == ["agentbus.handled", "chat-0", "lookup"].map { "\(work.id)/\($0)" })
            let handling = try #require(Self.activity(of: work, .ok, in: contents).first)
            let modelLatency = handling.modelCalls.first?.latencyMilliseconds ?? -1
            print(
                "durableDuplicate: \(entries.count) journal records for one event; handling took "
                    + "\(handling.finishedAt - handling.startedAt) ms, its model call \(modelLatency) ms")
        }
    }
}
