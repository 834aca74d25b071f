import AgentBus
import AgentBusReplay
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// Model calls made with `context.chat` by agents as real processes, against the stand-in
    /// OpenAI-compatible server: their cost travels with the workflow and shows in `agentbus
    /// replay` and `agentbus costs`, a cost budget stops the workflow in the process that crosses
    /// it, and a storm of 429s is ridden out at the pace of the agent's rate limit.
    @Suite("Model cost, budgets and rate limits across processes", .timeLimit(.minutes(2)))
    struct ModelCostProcessTests {
        /// Per million tokens. The stand-in server answers every call with 27 prompt and 46
        /// answer tokens: 27 × 100 + 46 × 200 = 11,900 millionths a call.
        static let prices = #"{"smollm2-135m": {"input": 100, "output": 200}}"#
        static let callCost = 0.0119

        static func agent(hop: Int) -> String { "test-chat-hop-\(hop)" }

        /// A dev-broker with the agents' topics (no retry topics: failures dead-letter at once).
        static func broker(hops: ClosedRange<Int>) async throws -> DevBrokerProcess {
            try await DevBrokerProcess.start(
                schemas: Paths.fixtureSchemas, arguments: hops.flatMap { ["--agent", agent(hop: $0)] } + ["--retry-delays", "none"])
        }

        /// Writes the price table to a file of its own, for `--model-prices`.
        static func pricesFile() throws -> String {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-prices-\(UUID().uuidString).json").path
            try Data(prices.utf8).write(to: URL(fileURLWithPath: file))
            return file
        }

        /// The chain Work → Left → Right → Done, one `chat-hop` process a link, each calling
        /// `model` once a handling, priced by `prices`; started together, so the joins overlap.
        static func startChain(
            broker: DevBrokerProcess, model: ModelStubServer, prices: String, environment: [String: String] = [:]
        ) async throws -> [AgentProcess] {
            let hops = try (1...3).map { hop in
                try AgentProcess.testAgent(
                    role: "chat-hop", instance: "chat-hop-\(hop)", broker: broker,
                    environment: environment.merging(["AGENTBUS_TEST_HOP": "\(hop)"]) { $1 },
                    arguments: ["--model-url", model.baseURL, "--model-prices", prices])
            }
            for hop in hops { try await hop.waitUntilAssigned() }
            return hops
        }

        @Test("three model-backed hops: the final event carries 3 calls' cost; replay and costs show 27→46 tokens a hop and 81 in, 138 out in all")
        func threeHops() async throws {
            let broker = try await Self.broker(hops: 1...3)
            let model = try ModelStubServer()
            defer { model.stop() }
            let prices = try Self.pricesFile()
            defer { try? FileManager.default.removeItem(atPath: prices) }
            let hops = try await Self.startChain(broker: broker, model: model, prices: prices)
            let watcher = try await TopicWatcher.start([TestTypes.doneTopic, AgentTopics.activity], broker: broker)

            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let work = publisher.root(TestTypes.work, WorkPayload(id: "priced", seq: 0, behavior: "ok").json)
            let workflow = work.correlationID
            try await publisher.send(work)
            await publisher.close()
            // Done, and each hop's activity record (replay and costs read those) written.
            let finished = await watcher.waitFor { contents in
                contents.count(TestTypes.doneTopic) >= 1 && contents.activity.count { $0.correlationId == workflow } >= 3
            }
            await watcher.stop()
            try #require(finished, "\(hops.map(\.tail).joined(separator: "\n"))")
            await withTaskGroup(of: Void.self) { group in
                for hop in hops { group.addTask { #expect(await hop.stop() == 0) } }
            }

            let done = try #require(watcher[TestTypes.doneTopic].first?.envelope)
            #expect(done.correlationID == workflow)
            #expect(abs(done.cost - 3 * Self.callCost) < 1e-9, "agentbus_cost \(done.cost)")
            let handlings = watcher.contents.activity.filter { $0.correlationId == workflow }
            #expect(handlings.map(\.agent).sorted() == (1...3).map { Self.agent(hop: $0) })
            for handling in handlings {
                #expect(handling.outcome == .ok, "\(handling.agent): \(handling.error ?? "")")
                let call = try #require(handling.modelCalls.first, "\(handling.agent) recorded no model call")
                #expect(handling.modelCalls.count == 1)
                #expect((call.requestModel, call.inputTokens, call.outputTokens) == ("smollm2-135m", 27, 46))
                #expect(abs(call.cost - Self.callCost) < 1e-12, "\(handling.agent): \(call.cost)")
            }
            #expect(try await model.arrivals().count == 3)

            async let replayRun = agentbus(["replay", workflow], broker)
            async let costsRun = agentbus(["costs", "--by", "workflow", "--format", "json"], broker)
            let (replay, costs) = try await (replayRun, costsRun)
            await broker.stop()

            #expect(replay.status == 0, "\(replay.errors)")
            for hop in 1...3 {
                let lines = replay.output.filter { $0.contains("→ \(Self.agent(hop: hop)): ok in ") }
                #expect(lines.count == 1, "\(replay.output)")
                #expect(lines.first?.hasSuffix(" · 1 model call, 27→46 tokens, $0.0119") == true, "\(lines)")
            }
            #expect(replay.output.last == "model calls: 3 · tokens: 81 in, 138 out · cost: $0.0357", "\(replay.output)")

            #expect(costs.status == 0, "\(costs.errors)")
            let document = try #require(costs.output.first.flatMap { try? JSONValue(parsing: $0) }, "\(costs.output)")
            let rows = try #require(document["rows"]?.arrayValue)
            #expect(rows.map { $0["key"]?.stringValue } == [workflow])
            for figures in [rows.first, document["total"]] {
                #expect(figures?["calls"]?.jsonText == "3")
                #expect(figures?["inputTokens"]?.jsonText == "81")
                #expect(figures?["outputTokens"]?.jsonText == "138")
                #expect(figures?["replayed"]?.jsonText == "0")
                let cost = try #require(figures?["cost"]?.jsonText).flatMap { Double($0) }
                #expect(cost.map { abs($0 - 3 * Self.callCost) < 1e-9 } == true, "\(costs.output)")
            }
        }

        @Test("a budget between one and two calls' cost: hop 2's call crosses it, so hop 2 dead-letters with class budget and publishes nothing; hop 3 sees nothing")
        func budgetStopsSecondHop() async throws {
            let broker = try await Self.broker(hops: 1...3)
            let model = try ModelStubServer()
            defer { model.stop() }
            let prices = try Self.pricesFile()
            defer { try? FileManager.default.removeItem(atPath: prices) }
            let limit = "0.02"
            let hops = try await Self.startChain(
                broker: broker, model: model, prices: prices, environment: ["AGENTBUS_TEST_MAX_WORKFLOW_COST": limit])
            let deadLetters = "\(Self.agent(hop: 2)).dlt"
            let topics = [TestTypes.leftTopic, TestTypes.rightTopic, TestTypes.doneTopic, deadLetters, AgentTopics.activity]
            let watcher = try await TopicWatcher.start([AgentTopics.activity], broker: broker)

            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let work = publisher.root(TestTypes.work, WorkPayload(id: "budget", seq: 0, behavior: "ok").json)
            try await publisher.send(work)
            await publisher.close()
            // Hop 2 is done with the event, whichever way: its activity record is written last.
            let handled = await watcher.waitFor { contents in
                contents.activity.contains { $0.agent == Self.agent(hop: 2) && $0.correlationId == work.correlationID }
            }
            await watcher.stop()
            try #require(handled, "\(hops.map(\.tail).joined(separator: "\n"))")
            // Stopped, so whatever any hop wrote is on the topics now: hop 3 had every chance to
            // handle an event hop 2 might have published.
            await withTaskGroup(of: Void.self) { group in
                for hop in hops { group.addTask { #expect(await hop.stop() == 0) } }
            }
            let written = try await snapshot(topics, broker)
            await broker.stop()

            let left = written[TestTypes.leftTopic].compactMap(\.envelope)
            #expect(left.count == 1)
            #expect(left.first.map { abs($0.cost - Self.callCost) < 1e-12 } == true, "\(left.map(\.cost))")
            #expect(written[TestTypes.rightTopic].isEmpty, "hop 2 published past the budget")
            #expect(written[TestTypes.doneTopic].isEmpty)

            let letters = written[deadLetters]
            #expect(letters.count == 1)
            let letter = try #require(letters.first)
            #expect(letter.header(EnvelopeHeader.id) == left.first?.id)
            #expect(letter.header(RuntimeHeader.failureClass) == "budget")
            #expect(letter.header(RuntimeHeader.agent) == Self.agent(hop: 2))
            #expect(letter.header(RuntimeHeader.exceptionClass) == "CostBudgetExceeded")
            let reason = try #require(letter.header(RuntimeHeader.exceptionMessage))
            #expect(reason.contains("past its cost budget of \(limit)") && reason.contains("its outputs were not sent"), "\(reason)")

            let activity = written[AgentTopics.activity].compactMap { $0.decode(ActivityRecord.self) }
            let second = try #require(activity.first { $0.agent == Self.agent(hop: 2) })
            #expect(second.failureClass == .budget)
            #expect(second.published.isEmpty)
            #expect(second.modelCalls.map(\.cost) == [Self.callCost], "the call that crossed the budget was made and is recorded")
            #expect(activity.filter { $0.agent == Self.agent(hop: 3) }.isEmpty, "hop 3 handled something")
            #expect(try await model.arrivals().count == 2)
        }

        /// The events, all with one key: one partition, handled one at a time, so which calls the
        /// storm refuses is certain (the first event's, in a row).
        static let pacedEvents = 10
        static let storm = 4

        @Test("a storm of 429s at 120 requests a minute: every event handled, none dead-lettered; calls paced, and Retry-After waited after each 429")
        func rateLimitedStorm() async throws {
            let start = ContinuousClock.now
            let broker = try await Self.broker(hops: 1...1)
            let model = try ModelStubServer()
            defer { model.stop() }
            // Pools give every 429 to the runtime (maxWait 0), whose throttle must not count it as
            // a failed attempt: the role's retry policy has 3 attempts in place and no retry topics.
            let agent = try AgentProcess.testAgent(
                role: "chat-hop", instance: "chat-hop-1", broker: broker,
                environment: ["AGENTBUS_TEST_HOP": "1", "AGENTBUS_TEST_MODEL_MAX_WAIT_MS": "0"],
                arguments: ["--model-url", model.baseURL, "--model-rpm", "120"])
            try await agent.waitUntilAssigned()
            let deadLetters = "\(Self.agent(hop: 1)).dlt"
            let watcher = try await TopicWatcher.start([TestTypes.leftTopic, deadLetters], broker: broker)

            try await model.storm(Self.storm)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let works = (0..<Self.pacedEvents).map { index in
                publisher.root(TestTypes.work, WorkPayload(id: "paced-\(index)", seq: index, behavior: "ok").json, key: "paced")
            }
            let published = ContinuousClock.now
            try await publisher.sendAll(works)
            await publisher.close()
            let settled = await watcher.waitFor { contents in
                contents.distinctCauses(TestTypes.leftTopic) >= Self.pacedEvents || contents.count(deadLetters) > 0
            }
            let handledIn = ContinuousClock.now - published
            await watcher.stop()
            #expect(await agent.stop() == 0, "\(agent.tail)")
            try #require(settled, "\(agent.tail)")
            let written = try await snapshot([TestTypes.leftTopic, deadLetters, AgentTopics.activity], broker)
            await broker.stop()

            #expect(written[deadLetters].isEmpty, "dead-lettered: \(written[deadLetters].map { $0.header(RuntimeHeader.exceptionMessage) ?? "" })")
            let causes = written[TestTypes.leftTopic].compactMap(\.envelope).compactMap(\.causationID)
            #expect(causes.count == Self.pacedEvents && Set(causes) == Set(works.map(\.id)), "\(causes)")
            let activity = written[AgentTopics.activity].compactMap { $0.decode(ActivityRecord.self) }
            #expect(activity.count == Self.pacedEvents && activity.allSatisfy { $0.outcome == .ok }, "\(activity.map(\.outcome))")
            #expect(activity.allSatisfy { $0.attempts == 1 }, "attempts refused with 429 count: \(activity.map(\.attempts))")

            // Where the provider would see it: the storm's 429s are the first calls, each followed
            // by its Retry-After (1 s); then the successful calls.
            let arrivals = try await model.arrivals()
            try #require(arrivals.count == Self.storm + Self.pacedEvents, "\(arrivals)")
            let gaps = zip(arrivals.dropFirst(), arrivals).map { $0 - $1 }
            let early = gaps.prefix(Self.storm).enumerated().filter { $0.element < 0.999 }
                .map { "call \($0.offset + 2) came \($0.element) s after the 429 of call \($0.offset + 1)" }
            #expect(early.isEmpty, "\(early)")
            // 120 a minute with a burst of 1 s is a bucket of 2 requests refilled at 2 a second: any
            // window of d seconds holds at most 2 + 2d calls the pool let go, so calls i and i + k
            // (k ≥ 2) left it at least (k - 1) / 2 s apart. A call may take a while from the pool
            // to the server on a busy machine (0.4 s seen): allowed up to `latency`, below the
            // pool's spacing, so a third call in the burst (~10 ms after the second) still shows.
            let latency = 0.45
            var tooClose: [String] = []
            for i in arrivals.indices {
                for j in arrivals.indices where j >= i + 2 && arrivals[j] - arrivals[i] < Double(j - i - 1) / 2 - latency {
                    tooClose.append("calls \(i + 1) to \(j + 1): \(arrivals[j] - arrivals[i]) s, at least \(Double(j - i - 1) / 2) s")
                }
            }
            #expect(tooClose.isEmpty, "\(tooClose)")
            print(
                "rateLimitedStorm: \(Self.pacedEvents) events handled \(handledIn) after publishing (\(ContinuousClock.now - start) in all); "
                    + "gaps between calls (s): \(gaps.map { String(format: "%.3f", $0) }.joined(separator: " "))")
        }
    }
}
