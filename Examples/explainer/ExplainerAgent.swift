import AgentBus
import Foundation
import LoanEvents

/// Explains each final loan decision in plain language, with a language model, and publishes a
/// ``DecisionExplained``.
///
/// The model is treated as an untrusted, fallible dependency: its call is an effect (journaled,
/// so a retry, a crash or a rebalance never asks it twice for one decision, and the same answer
/// is used), its answer must match the explanation's schema and must not contradict the
/// decision, and when it does not, or the model stays unavailable through the retries, a
/// deterministic explanation is built from the decision's own reason instead. Either way the
/// workflow goes on, and the event says which it was.
struct ExplainerAgent: Agent {
    let name = "explainer"
    let version = "1.0.0"
    let produces = [DecisionExplained.eventType]
    let capabilities = ["decision-explanation"]
    let usesEffects = true
    let model: any ModelClient
    var policies: AgentPolicies {
        AgentPolicies(
            retry: RetryPolicy(inPlaceAttempts: Self.attempts, initialBackoff: .milliseconds(200), retryTopicDelays: []),
            handlerDeadline: .seconds(60))
    }

    /// Attempts at the model before the fallback is used.
    static let attempts = 3

    var handlers: [EventHandler] {
        EventHandler(DecisionMade.self) { [model] decision, context in
            // Only final decisions: one awaiting a person's approval is decided again after it.
            guard !decision.requiresHumanApproval else { return }
            let explained: DecisionExplained
            do {
                let answer = try await context.chat(Self.request(for: decision), using: model, name: "explanation")
                switch ModelExplanation.parse(answer.content, decision: decision.decision) {
                case .success(let explanation):
                    explained = Self.explained(decision, explanation, source: .model, model: answer.model)
                case .failure(let unusable):
                    context.logger.info("model answer not used", metadata: ["reason": "\(unusable.reason)"])
                    explained = Self.fallback(decision, reason: unusable.reason, model: answer.model)
                }
            } catch let error as ModelError where error.isRetryable && context.attempt < Self.attempts {
                throw error  // retried in place, with backoff
            } catch let error as ModelError {
                explained = Self.fallback(decision, reason: "model unavailable: \(error.message)", model: model.defaultModel)
            }
            try context.publish(explained)
        }
    }

    /// Temperature 0 and a short answer: the same decision gets the same explanation.
    static func request(for decision: DecisionMade) -> ChatRequest {
        var facts = "Decision: \(decision.decision.rawValue). Reason: \(decision.reason)"
        if let amount = decision.approvedAmount, let rate = decision.interestRatePercent {
            facts += " Amount: \(amount.amount) \(amount.currency) at \(rate)% a year."
        }
        return ChatRequest(
            messages: [
                .system(
                    "You explain loan decisions to applicants. Answer only with JSON: "
                        + #"{"explanation": "two plain sentences", "keyFactors": ["a factor", "another"]}"#),
                .user(facts),
            ],
            temperature: 0, maxTokens: 120, responseSchema: ModelExplanation.schemaText)
    }

    static func explained(
        _ decision: DecisionMade, _ explanation: ModelExplanation, source: DecisionExplained.Source, model: String
    ) -> DecisionExplained {
        DecisionExplained(
            applicationId: decision.applicationId, applicantId: decision.applicantId, decision: decision.decision,
            explanation: explanation.explanation, keyFactors: explanation.keyFactors, source: source, model: model,
            explainedAt: Date())
    }

    /// Built from the decision alone: the same decision always gets the same words.
    static func fallback(_ decision: DecisionMade, reason: String, model: String) -> DecisionExplained {
        let opening: String
        switch decision.decision {
        case .approved: opening = "Your application was approved"
        case .declined: opening = "We could not approve your application"
        case .referred: opening = "Your application was passed to an underwriter"
        }
        let why = String(decision.reason.prefix(500))
        return DecisionExplained(
            applicationId: decision.applicationId, applicantId: decision.applicantId, decision: decision.decision,
            explanation: "\(opening): \(why)", keyFactors: [String(why.prefix(120))], source: .fallback,
            fallbackReason: String(reason.prefix(300)), model: model, explainedAt: Date())
    }
}
