import AgentBus
import Foundation
import LoanEvents

/// Scores the risk of a loan from the applicant's credit report.
///
/// A toy model: the score rises with delinquencies and debt and falls with the credit score.
struct RiskScorerAgent: Agent {
    let name = "risk-scorer"
    let version = "1.0.0"
    let produces = [RiskScored.eventType]
    let capabilities = ["risk-model:risk-v3"]
    /// Outstanding debt at which the debt factor reaches its cap (0.2).
    var debtCeiling: Double = 100_000

    var handlers: [EventHandler] {
        EventHandler(CreditChecked.self) { [debtCeiling] report, context in
            let creditFactor = Double(850 - report.score) / 550 * 0.5
            let delinquencyFactor = min(Double(report.delinquencies) * 0.1, 0.3)
            let debtFactor = min(report.outstandingDebt.amount / debtCeiling, 0.2)
            let score = (creditFactor + delinquencyFactor + debtFactor).clamped(to: 0...1)
            context.logger.debug("scored", metadata: ["score": "\(score)"])
            try context.publish(
                RiskScored(
                    applicationId: report.applicationId, score: (score * 100).rounded() / 100,
                    grade: RiskScored.Grade.allCases[min(Int(score * 5), 4)],
                    debtToIncomeRatio: (debtFactor * 500).rounded() / 100,
                    factors: [
                        .init(name: "creditScore", weight: (creditFactor * 100).rounded() / 100),
                        .init(name: "delinquencies", weight: (delinquencyFactor * 100).rounded() / 100),
                        .init(name: "debt", weight: (debtFactor * 100).rounded() / 100),
                    ],
                    model: "risk-v3", scoredAt: Date()))
        }
    }
}

extension Double {
    fileprivate func clamped(to range: ClosedRange<Double>) -> Double { Swift.min(Swift.max(self, range.lowerBound), range.upperBound) }
}
