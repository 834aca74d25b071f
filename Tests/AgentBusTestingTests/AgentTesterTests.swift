import AgentBus
import AgentBusTesting
import Kafka
import Testing

/// The tester makes the runtime's decisions: each test fails if one of them breaks.
@Suite("AgentTester", .timeLimit(.minutes(1)))
struct AgentTesterTests {
    /// Publishes one `Done` per `Work`, and fails as the work's behavior says.
    struct Worker: Agent {
        let name = "tested-worker"
        var retry = RetryPolicy.none
        var deadline: Duration = .seconds(30)
        var hopLimit = 32
        var failures = Counter()
        var policies: AgentPolicies { AgentPolicies(retry: retry, handlerDeadline: deadline, hopLimit: hopLimit) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [failures] work, context in
                switch work.behavior {
                case "permanent": throw PermanentFailure("refused \(work.id)")
                case "fail-always": _ = failures.next(); throw Flaky()
                case "fail-until-attempt" where context.attempt < 3: _ = failures.next(); throw Flaky()
                case "sleep": try await context.clock.sleep(for: .seconds(60))
                default: break
                }
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        }
    }

    struct Flaky: Error {}

    func tester(_ agent: Worker = Worker(), clock: ManualClock = ManualClock()) throws -> AgentTester {
        try AgentTester(agent, schemas: Fixtures.registry, clock: clock)
    }

    func work(_ behavior: String = "ok", hops: Int = 0) throws -> EventEnvelope {
        var envelope = EventEnvelope.root(
            type: Work.eventType, source: "/test", data: try Work(id: "w1", seq: 7, behavior: behavior).jsonPayload())
        envelope.hops = hops
        return envelope
    }

    @Test("a handled event: its outputs as children of the input, on their type's topic, decodable")
    func handled() async throws {
        let result = try await tester().handle(Work(id: "w1", seq: 7, behavior: "ok"))
        #expect(result.outcome == .handled)
        #expect(result.attempts == 1)
        #expect(result.waits.isEmpty)
        #expect(result.deadLetter == nil)
        let done = try result.published(Done.self)
        #expect(done.map(\.seq) == [7])
        let output = try #require(result.outputs.first)
        let input = try #require(result.input)
        #expect(output.topic == "test.done")
        #expect(output.envelope.causationID == input.id)
        #expect(output.envelope.correlationID == input.correlationID)
        #expect(output.envelope.hops == input.hops + 1)
        #expect(output.envelope.source == "/agents/tested-worker")
        #expect(output.envelope.id == EventID.derived(from: input.id, agent: "tested-worker", type: Done.eventType, index: 0).description)
        #expect(result.published(type: Left.eventType).isEmpty)
    }

    @Test("an event type the agent does not handle is left alone")
    func notHandled() async throws {
        let result = try await tester().handle(Ping(n: 1))
        #expect(result.outcome == .notHandled)
        #expect(result.attempts == 0)
    }

    @Test("an event type the catalog does not know is dead-lettered as poison, the type named")
    func unknownType() async throws {
        let envelope = EventEnvelope.root(type: "test.agentbus.unknown.v1", source: "/foreign", data: Array("{}".utf8))
        let result = try await tester().handle(envelope)
        #expect(result.outcome == .deadLettered(.poison))
        #expect(result.deadLetter?.errorType == "UnknownEventType")
        #expect(result.deadLetter?.reason == "unknown event type test.agentbus.unknown.v1: no schema in the catalog")
        #expect(result.attempts == 0)

        // A foreign producer's huge type is cut in the reason, so the dead letter stays writable.
        let huge = String(repeating: "x", count: 100_000)
        let hugeResult = try await tester().handle(EventEnvelope.root(type: huge, source: "/foreign", data: Array("{}".utf8)))
        #expect(hugeResult.deadLetter?.reason.count ?? .max < 300)
    }

    @Test("past the hop limit: dead-lettered as budget before the handler runs")
    func hopLimit() async throws {
        var agent = Worker()
        agent.hopLimit = 3
        let tester = try tester(agent)
        #expect(try await tester.handle(work(hops: 3)).outcome == .handled)
        let result = await tester.handle(try work(hops: 4))
        #expect(result.outcome == .deadLettered(.budget))
        #expect(result.deadLetter?.errorType == "HopLimitExceeded")
        #expect(result.attempts == 0)
    }

    @Test("an input that fails its schema is a schema failure; bytes that are not JSON are poison")
    func inputChecks() async throws {
        let tester = try tester()
        var invalid = try work()
        invalid.data = Array(#"{"id":"w1","seq":-1,"behavior":"ok"}"#.utf8)
        let refused = await tester.handle(invalid)
        #expect(refused.outcome == .deadLettered(.schema))
        #expect(refused.deadLetter?.errorType == "SchemaViolation")
        #expect(refused.attempts == 0)

        var garbage = try work()
        garbage.data = Array("not json".utf8)
        let poison = await tester.handle(garbage)
        #expect(poison.outcome == .deadLettered(.poison))
        #expect(poison.deadLetter?.errorType == "UndecodablePayload")

        let notAnEvent = await tester.handle(record: KafkaRecord(topic: "test.work", value: Array("{}".utf8)))
        #expect(notAnEvent.outcome == .deadLettered(.poison))
        #expect(notAnEvent.deadLetter?.errorType == "EnvelopeError")
        #expect(notAnEvent.input == nil)
    }

    @Test("a valid payload the handler's Swift type cannot decode is a schema failure, not retried")
    func undecodable() async throws {
        let handler = EventHandler(WorkWithTicket.self) { _, _ in }
        let tester = try AgentTester(
            handler, policies: AgentPolicies(retry: RetryPolicy(inPlaceAttempts: 3)), schemas: Fixtures.registry)
        let result = try await tester.handle(Work(id: "w1", seq: 0, behavior: "ok"))
        #expect(result.outcome == .deadLettered(.schema))
        #expect(result.attempts == 1)
        #expect(result.waits.isEmpty)
    }

    @Test("a NonRetryableError is dead-lettered at once as permanent, with its type and message")
    func permanent() async throws {
        var agent = Worker()
        agent.retry = RetryPolicy(inPlaceAttempts: 3)
        let result = try await tester(agent).handle(Work(id: "w9", seq: 0, behavior: "permanent"))
        #expect(result.outcome == .deadLettered(.permanent))
        #expect(result.attempts == 1)
        #expect(result.deadLetter?.reason == "refused w9")
        #expect(result.deadLetter?.errorType.hasSuffix("PermanentFailure") == true)
        #expect(result.outputs.isEmpty)
    }

    @Test("transient failures: in-place retries with backoff, retry-topic passes, then the dead letter, in virtual time")
    func retries() async throws {
        var agent = Worker()
        agent.retry = RetryPolicy(
            inPlaceAttempts: 3, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1),
            retryTopicDelays: [.seconds(10), .seconds(60)])
        let clock = ManualClock()
        let start = ContinuousClock.now
        let result = try await tester(agent, clock: clock).handle(Work(id: "w1", seq: 0, behavior: "fail-always"))
        #expect(ContinuousClock.now - start < .seconds(5), "the waits were real")
        #expect(result.outcome == .deadLettered(.transient))
        #expect(result.attempts == 9)
        #expect(agent.failures.count == 9)
        #expect(result.deadLetter?.errorType.hasSuffix("Flaky") == true)
        // Two backoffs per pass of three attempts, a retry-topic delay between passes.
        let kinds = result.waits.map { wait -> String in
            if case .retryTopic(let delay) = wait { return "topic \(delay)" }
            return "backoff"
        }
        #expect(kinds == [
            "backoff", "backoff", "topic 10.0 seconds", "backoff", "backoff", "topic 60.0 seconds", "backoff", "backoff",
        ])
        // Full jitter within the doubling ceiling, restarting each pass.
        let backoffs = result.waits.compactMap { wait -> Duration? in
            if case .backoff(let duration) = wait { return duration }
            return nil
        }
        for (index, backoff) in backoffs.enumerated() {
            #expect(backoff >= .zero && backoff <= (index % 2 == 0 ? .milliseconds(100) : .milliseconds(200)))
        }
        let waited = result.waits.reduce(Duration.zero) { $0 + $1.duration }
        #expect(clock.now.offset == waited)
    }

    @Test("a transient failure that clears: handled by the retry, with only that attempt's outputs")
    func retryThenSuccess() async throws {
        var agent = Worker()
        agent.retry = RetryPolicy(inPlaceAttempts: 3, retryTopicDelays: [])
        let result = try await tester(agent).handle(Work(id: "w1", seq: 0, behavior: "fail-until-attempt"))
        #expect(result.outcome == .handled)
        #expect(result.attempts == 3)
        #expect(result.waits.count == 2)
        #expect(try result.published(Done.self).map(\.attempt) == [3])
    }

    @Test("after a pass through the retry topic, attempts go on counting and a new pass of in-place attempts starts")
    func retryTopicPass() async throws {
        var agent = Worker()
        agent.retry = RetryPolicy(inPlaceAttempts: 2, initialBackoff: .milliseconds(100), retryTopicDelays: [.seconds(10)])
        let clock = ManualClock()
        // Attempts 1 and 2 fail (the first pass), the retry topic, attempt 3 succeeds.
        let result = try await tester(agent, clock: clock).handle(Work(id: "w1", seq: 0, behavior: "fail-until-attempt"))
        #expect(result.outcome == .handled)
        #expect(result.attempts == 3)
        #expect(result.waits.count == 2)
        #expect(result.waits.last == .retryTopic(.seconds(10)))
        #expect(try result.published(Done.self).map(\.attempt) == [3])
        #expect(clock.now.offset >= .seconds(10))
    }

    @Test("a handler sleeping on the context's clock past its deadline is abandoned as DeadlineExceeded")
    func deadline() async throws {
        var agent = Worker()
        agent.deadline = .seconds(5)
        let clock = ManualClock()
        let tester = try tester(agent, clock: clock)
        async let outcome = tester.handle(Work(id: "w1", seq: 0, behavior: "sleep"))
        await clock.waitForSleepers()
        #expect(clock.sleeperCount == 1)  // the handler; the deadline watch is not counted
        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1, "woken before its deadline")
        clock.advance(by: .seconds(1))
        let result = try await outcome
        #expect(result.outcome == .deadLettered(.transient))
        #expect(result.deadLetter?.errorType == "DeadlineExceeded")
        #expect(result.attempts == 1)
    }

    @Test("one advance past both the deadline and the handler's own sleep is still DeadlineExceeded")
    func deadlineAndSleepInOneAdvance() async throws {
        var agent = Worker()
        agent.deadline = .seconds(5)
        agent.retry = .none
        let clock = ManualClock()
        let tester = try tester(agent, clock: clock)
        async let outcome = tester.handle(Work(id: "w1", seq: 0, behavior: "sleep"))
        await clock.waitForSleepers()
        clock.advance(by: .seconds(60))  // the handler's 60 s sleep ends too: the runtime cancels at 5 s
        let result = try await outcome
        #expect(result.deadLetter?.errorType == "DeadlineExceeded")
        #expect(result.outputs.isEmpty)
    }

    @Test("waiting for sleepers ends when the waiting task is cancelled")
    func waitForSleepersCancels() async {
        let clock = ManualClock()
        let waiter = Task { await clock.waitForSleepers() }
        waiter.cancel()
        await waiter.value  // would never return if the wait ignored cancellation
        #expect(clock.sleeperCount == 0)
    }

    @Test("the context's clock and time remaining are the tester's")
    func contextClock() async throws {
        let clock = ManualClock()
        let seen = Recorder<Duration>()
        let handler = EventHandler(Work.self) { _, context in
            seen.append(context.timeRemaining)
            try await context.clock.sleep(for: .seconds(2))
            seen.append(context.timeRemaining)
        }
        let tester = try AgentTester(
            handler, policies: AgentPolicies(handlerDeadline: .seconds(10)), schemas: Fixtures.registry, clock: clock)
        async let outcome = tester.handle(Work(id: "w1", seq: 0, behavior: "ok"))
        await clock.waitForSleepers()
        clock.advance(by: .seconds(2))
        #expect(try await outcome.outcome == .handled)
        #expect(seen.all == [.seconds(10), .seconds(8)])
    }

    @Test("the same event twice is a duplicate within the dedupe window, handled again after it")
    func dedupe() async throws {
        let clock = ManualClock()
        let tester = try tester(clock: clock)
        let event = try work()
        #expect(await tester.handle(event).outcome == .handled)
        let again = await tester.handle(event)
        #expect(again.outcome == .duplicate)
        #expect(again.outputs.isEmpty)
        #expect(await tester.handle(try work()).outcome == .handled, "another ID is another event")
        clock.advance(by: AgentPolicies().dedupeWindow + .seconds(1))
        #expect(await tester.handle(event).outcome == .handled)
    }

    @Test("a failed event is not remembered as handled")
    func failedNotDeduped() async throws {
        let tester = try tester()
        let event = try work("permanent")
        #expect(await tester.handle(event).outcome == .deadLettered(.permanent))
        #expect(await tester.handle(event).outcome == .deadLettered(.permanent))
    }

    @Test("an agent the runtime would refuse to start is refused")
    func configuration() throws {
        struct Unknown: TypedEvent {
            static let eventType = "test.agentbus.nothing.v1"
        }
        #expect(throws: AgentConfigurationError.self) {
            try AgentTester(EventHandler(Unknown.self) { _, _ in }, schemas: Fixtures.registry)
        }
    }
}
