import AgentBus
import Foundation
import LoanEvents

/// Scores the risk of each assessed application (``AssessmentCompleted``, complete or partial)
/// and publishes a ``RiskScored``, which the decision agent decides from.
struct RiskScorerAgent: Agent {
    let name = "risk-scorer"
    let version = "2.0.0"
    let produces = [RiskScored.eventType]
    var capabilities: [String] { ["risk-model:\(model.name)"] }
    let model: any RiskModel
    /// Simulated scoring time, as a model service's round trip would take.
    var latency: Duration = .zero

    var handlers: [EventHandler] {
        EventHandler(AssessmentCompleted.self) { [model, latency] assessment, context in
            if latency > .zero { try await context.clock.sleep(for: latency) }
            let risk = try await model.score(assessment)
            context.logger.debug("scored", metadata: ["score": "\(risk.score)", "partial": "\(assessment.partial)"])
            try context.publish(risk)
        }
    }
}
