import AgentBus
import AgentBusTesting
import Testing

/// Effects through the tester's in-memory journal: what each test checks breaks if an effect
/// runs twice, a model call is not recorded, or the journal's rules are not enforced.
@Suite("Effects", .timeLimit(.minutes(1)))
struct EffectTests {
    /// A model that answers with a fixed text and usage, counting its calls.
    struct CountingModel: ModelClient {
        let calls = Counter()
        var defaultModel: String { "tiny-model" }
        func complete(_ request: ChatRequest) async throws(ModelError) -> ChatResponse {
            _ = calls.next()
            return ChatResponse(
                content: "answer \(calls.count)", finishReason: "stop", model: "tiny-model-2026",
                usage: ModelUsage(inputTokens: 1_000, outputTokens: 500), latency: .milliseconds(12))
        }
    }

    /// Runs an effect and a model call, then fails its first `failures` attempts.
    struct Effectful: Agent {
        let name = "effectful"
        let usesEffects = true
        var failures = 1
        var journal = "full"
        let sideEffects = Counter()
        let model = CountingModel()
        var policies: AgentPolicies {
            var policies = AgentPolicies(retry: RetryPolicy(inPlaceAttempts: 3, initialBackoff: .milliseconds(10), retryTopicDelays: []))
            policies.maxJournalEntryBytes = 1_000
            return policies
        }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [sideEffects, model, failures, journal] work, context in
                let mode: EffectJournaling<Int>
                switch journal {
                case "off": mode = .off
                case "redacted": mode = .redacted { _ in 0 }
                default: mode = .full
                }
                let charged = try await context.effect("charge", journal: mode) { sideEffects.next() }
                if work.seq == 100 {
                    _ = try await context.effect("big") { String(repeating: "x", count: 1_500) }
                }
                if work.seq == 200 {
                    _ = try await context.effect("charge") { 0 }
                }
                let answer = try await context.chat(ChatRequest(messages: [.user("hello")]), using: model)
                if context.attempt <= failures { throw Flaky() }
                try context.publish(Done(id: answer.content, seq: charged, attempt: context.attempt))
            }
        }
    }

    struct Flaky: Error {}

    let prices = ModelPrices(["tiny-model": .init(input: 2, output: 10)])

    @Test("a retry gets the effect's and the model's first results: each ran once, the answer is the first")
    func onceAcrossRetries() async throws {
        let agent = Effectful(failures: 2)
        let tester = try AgentTester(agent, schemas: Fixtures.registry, modelPrices: prices)
        let result = try await tester.handle(Work(id: "w", seq: 1, behavior: "ok"))
        #expect(result.outcome == .handled, "\(String(describing: result.deadLetter))")
        #expect(result.attempts == 3)
        #expect(agent.sideEffects.count == 1)
        #expect(agent.model.calls.count == 1)
        let done = try #require(try result.published(Done.self).first)
        #expect(done.id == "answer 1")
        #expect(done.seq == 1)
        // One real call, replayed by the two later attempts; each attempt's outputs carry its cost.
        #expect(result.modelCalls.map(\.replayed) == [false, true, true])
        let call = try #require(result.modelCalls.first)
        #expect(call.effect == "chat-0")
        #expect(call.requestModel == "tiny-model")
        #expect(call.responseModel == "tiny-model-2026")
        #expect(call.inputTokens == 1_000 && call.outputTokens == 500)
        #expect(call.latencyMilliseconds == 12)
        #expect(abs(call.cost - 0.007) < 1e-12)  // 1,000 × 2 + 500 × 10 per million
        #expect(abs(result.cost - 0.007) < 1e-12)
        #expect(tester.journaledEffects == 2)
        #expect(try result.outputs[0].envelope.cost == 0.007)
    }

    @Test("journal: .off runs the effect on every attempt; .redacted runs it once and replays the redacted result")
    func journalModes() async throws {
        let off = Effectful(failures: 1, journal: "off")
        let offResult = try await AgentTester(off, schemas: Fixtures.registry).handle(Work(id: "w", seq: 1, behavior: "ok"))
        #expect(offResult.outcome == .handled)
        #expect(off.sideEffects.count == 2)
        #expect(try offResult.published(Done.self).first?.seq == 2)

        let redacted = Effectful(failures: 1, journal: "redacted")
        let redactedResult = try await AgentTester(redacted, schemas: Fixtures.registry)
            .handle(Work(id: "w", seq: 1, behavior: "ok"))
        #expect(redacted.sideEffects.count == 1)
        #expect(try redactedResult.published(Done.self).first?.seq == 0)
    }

    @Test("a result larger than a journal record, or two effects of one name, dead-letter at once with a clear reason")
    func refusals() async throws {
        let agent = Effectful(failures: 0)
        let tester = try AgentTester(agent, schemas: Fixtures.registry)
        let big = try await tester.handle(Work(id: "w1", seq: 100, behavior: "ok"))
        #expect(big.outcome == .deadLettered(.permanent))
        #expect(big.attempts == 1)
        let reason = try #require(big.deadLetter?.reason)
        #expect(reason.contains("effect \"big\" is 1502 bytes"))
        #expect(reason.contains("(1000 bytes, AgentPolicies.maxJournalEntryBytes"))

        let twice = try await tester.handle(Work(id: "w2", seq: 200, behavior: "ok"))
        #expect(twice.outcome == .deadLettered(.permanent))
        #expect(twice.deadLetter?.reason.contains("are named \"charge\"") == true)
    }

    @Test("an agent that does not declare usesEffects is told how to")
    func notEnabled() async throws {
        let handler = EventHandler(Work.self) { _, context in
            _ = try await context.effect("x") { 1 }
        }
        let result = try await AgentTester(handler, schemas: Fixtures.registry).handle(Work(id: "w", seq: 1, behavior: "ok"))
        #expect(result.outcome == .deadLettered(.permanent))
        #expect(result.deadLetter?.reason.contains("declare `let usesEffects = true`") == true)
    }

    /// Calls the model once per handling and publishes, within a cost budget.
    struct Budgeted: Agent {
        let name = "budgeted"
        let usesEffects = true
        let model = CountingModel()
        var policies: AgentPolicies { AgentPolicies(retry: .none, maxWorkflowCost: 0.01) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [model] work, context in
                _ = try await context.chat(ChatRequest(messages: [.user("hello")]), using: model)
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        }
    }

    @Test("the handling whose model call takes its workflow past the budget sends nothing; a spent workflow calls no model")
    func budget() async throws {
        let agent = Budgeted()
        let tester = try AgentTester(agent, schemas: Fixtures.registry, modelPrices: prices)
        var input = EventEnvelope.root(
            type: Work.eventType, source: "/test", data: try Work(id: "w", seq: 1, behavior: "ok").jsonPayload())
        input.cost = 0.005  // + 0.007 for the call: past 0.01
        let crossed = await tester.handle(input)
        #expect(crossed.outcome == .deadLettered(.budget))
        #expect(crossed.outputs.isEmpty)
        #expect(crossed.deadLetter?.reason == "workflow spent 0.012, past its cost budget of 0.01 in this handling; its outputs were not sent")
        #expect(agent.model.calls.count == 1)

        var spent = EventEnvelope.root(
            type: Work.eventType, source: "/test", data: try Work(id: "w2", seq: 1, behavior: "ok").jsonPayload())
        spent.cost = 0.01
        let refused = await tester.handle(spent)
        #expect(refused.outcome == .deadLettered(.budget))
        #expect(agent.model.calls.count == 1)  // no second call

        let within = try await tester.handle(Work(id: "w3", seq: 1, behavior: "ok"))
        #expect(within.outcome == .handled)
        #expect(agent.model.calls.count == 2)
    }
}

/// Defects found in review: each test fails while its defect is there.
@Suite("Effects: review findings", .timeLimit(.minutes(1)))
struct EffectReviewTests {
    /// Answers 429 (Retry-After 2 s) to its first `limited` calls, then publishes.
    struct RateLimited: Agent {
        let name = "rate-limited"
        let calls = Counter()
        var limited = 2
        var policies: AgentPolicies { AgentPolicies(retry: .none) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [calls, limited] work, context in
                if calls.next() <= limited { throw ModelError(.rateLimited, "slow down", status: 429, retryAfter: .seconds(2)) }
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        }
    }

    @Test("a 429 is waited out as the runtime waits it out, not retried by the policy: retry .none still handles it")
    func throttledAsInRuntime() async throws {
        let agent = RateLimited()
        let result = try await AgentTester(agent, schemas: Fixtures.registry).handle(Work(id: "w", seq: 1, behavior: "ok"))
        #expect(result.outcome == .handled, "\(String(describing: result.deadLetter))")
        #expect(agent.calls.count == 3)
        #expect(result.waits == [.throttled(.seconds(2)), .throttled(.seconds(2))])
        // Waiting out a rate limit is not an attempt of the retry policy's.
        #expect(result.attempts == 1)
    }

    /// Charges once per event, through an effect.
    struct Charger: Agent {
        let name = "charger"
        let usesEffects = true
        let charges = Counter()
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [charges] work, context in
                let charge = try await context.effect("charge") { charges.next() }
                try context.publish(Done(id: work.id, seq: charge, attempt: context.attempt))
            }
        }
    }

    @Test("events are identified by source and ID: two sources' event 42 are two events, with effects of their own")
    func sameIDOtherSource() async throws {
        let agent = Charger()
        let tester = try AgentTester(agent, schemas: Fixtures.registry)
        var fromA = EventEnvelope.root(
            type: Work.eventType, source: "/systems/a", data: try Work(id: "a", seq: 1, behavior: "ok").jsonPayload())
        fromA.id = "42"
        var fromB = EventEnvelope.root(
            type: Work.eventType, source: "/systems/b", data: try Work(id: "b", seq: 1, behavior: "ok").jsonPayload())
        fromB.id = "42"
        let first = await tester.handle(fromA)
        let second = await tester.handle(fromB)
        #expect(first.outcome == .handled)
        #expect(second.outcome == .handled)
        withKnownIssue("the journal keys effects by event ID only, not by source and ID (see the review report)") {
            #expect(agent.charges.count == 2, "B's event got the result of A's charge")
        }
    }
}
