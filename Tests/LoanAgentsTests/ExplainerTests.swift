import AgentBus
import AgentBusTesting
import Foundation
import LoanEvents
import Synchronization
import Testing

@testable import explainer

/// The explainer's rules, with a scripted model: whatever the model says, the workflow gets a
/// valid explanation, and the event says who wrote it.
@Suite("explainer")
struct ExplainerTests {
    /// Answers each call with the next scripted answer (the last one repeats), counting calls.
    final class ScriptedModel: ModelClient {
        let answers: [Result<String, ModelError>]
        let calls = Mutex(0)
        init(_ answers: [Result<String, ModelError>]) { self.answers = answers }
        var defaultModel: String { "scripted" }
        var count: Int { calls.withLock { $0 } }
        func complete(_ request: ChatRequest) async throws(ModelError) -> ChatResponse {
            let index = calls.withLock { count in
                defer { count += 1 }
                return min(count, answers.count - 1)
            }
            let content = try answers[index].get()
            return ChatResponse(
                content: content, finishReason: "stop", model: "scripted-1",
                usage: ModelUsage(inputTokens: 80, outputTokens: 40), latency: .milliseconds(5))
        }
    }

    var declined: DecisionMade { DecisionMade.examples[1] }

    func explain(_ model: ScriptedModel, _ decision: DecisionMade? = nil) async throws -> (HandlingResult, DecisionExplained?) {
        let tester = try AgentTester(
            ExplainerAgent(model: model), schemas: LoanCatalog.registry,
            modelPrices: ModelPrices(["scripted": .init(input: 1, output: 2)]))
        let result = try await tester.handle(decision ?? declined)
        return (result, try result.published(DecisionExplained.self).first)
    }

    @Test("a usable answer is published as the model's, with its tokens and cost recorded")
    func modelAnswer() async throws {
        let model = ScriptedModel([
            .success(#"{"explanation": "Missed payments and a high debt-to-income ratio kept this loan out of reach.", "keyFactors": ["missed payments"]}"#)
        ])
        let (result, explained) = try await explain(model)
        #expect(result.outcome == .handled)
        let event = try #require(explained)
        #expect(event.source == .model)
        #expect(event.keyFactors == ["missed payments"])
        #expect(event.fallbackReason == nil)
        #expect(event.model == "scripted-1")
        #expect(result.modelCalls.map(\.inputTokens) == [80])
        #expect(abs(result.cost - 0.00016) < 1e-12)
    }

    @Test("an answer off the schema, or one that contradicts the decision, is replaced by the fallback, with the reason")
    func unusableAnswers() async throws {
        let offSchema = try await explain(ScriptedModel([.success("Sure! Here is your explanation.")])).1
        #expect(offSchema?.source == .fallback)
        #expect(offSchema?.fallbackReason?.hasPrefix("the model's answer does not match the explanation schema") == true)
        #expect(offSchema?.explanation.hasPrefix("We could not approve your application: Recent missed payments") == true)

        let contradicting = try await explain(ScriptedModel([
            .success(#"{"explanation": "Congratulations, your loan was approved today by our team.", "keyFactors": ["income"]}"#)
        ])).1
        #expect(contradicting?.source == .fallback)
        #expect(contradicting?.fallbackReason == "the model's answer says \"approved\" about a declined application")
    }

    @Test("a model that stays unavailable is retried, then the fallback is used: nothing is dead-lettered")
    func unavailable() async throws {
        let model = ScriptedModel([.failure(ModelError(.overloaded, "The server is overloaded", status: 503))])
        let (result, explained) = try await explain(model)
        #expect(result.outcome == .handled)
        #expect(result.attempts == ExplainerAgent.attempts)
        #expect(model.count == ExplainerAgent.attempts)
        #expect(explained?.source == .fallback)
        #expect(explained?.fallbackReason == "model unavailable: The server is overloaded")
    }

    @Test("a decision awaiting approval is not explained yet")
    func awaitingApproval() async throws {
        let model = ScriptedModel([.success("{}")])
        let (result, explained) = try await explain(model, DecisionMade.examples[0])
        #expect(result.outcome == .handled)
        #expect(explained == nil)
        #expect(model.count == 0)
    }
}
