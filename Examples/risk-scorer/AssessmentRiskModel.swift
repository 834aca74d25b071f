import Foundation
import LoanEvents

/// A toy scoring model over an assessment: factors that add up to an estimated probability of
/// default, each rounded to hundredths and reported largest first.
///
/// From the credit report: `creditScore` ((850 - score) / 550 × 0.5), `delinquencies` (0.1 each,
/// at most 0.3), `debt` (outstanding debt over ``debtCeiling``, at most 0.2); without one,
/// `noCreditReport` (0.4). From the fraud check: `fraudRisk` (0, 0.1, 0.3 for low, medium, high)
/// and `unverifiedIdentity` (0.05). From the documents: `loanToIncome` (0.05 per year of income
/// asked for, at most 0.2) and the debt-to-income ratio (3% of the outstanding debt plus 1% of
/// the amount, a month, over the monthly income); without them, `unverifiedIncome` (0.05).
///
/// A partial assessment scores more cautiously: a check that was required but did not come in
/// adds `fraudCheckMissing` (0.15, more than a medium fraud risk) or `documentsMissing` (0.1),
/// and a missing credit report counts as `noCreditReport`.
struct AssessmentRiskModel: RiskModel {
    let name = "risk-v4"
    /// Outstanding debt at which the debt factor reaches its cap (0.2).
    var debtCeiling: Double = 100_000

    func score(_ assessment: AssessmentCompleted) async throws -> RiskScored {
        var factors: [RiskScored.Factor] = []
        func add(_ name: String, _ weight: Double) { factors.append(.init(name: name, weight: (weight * 100).rounded() / 100)) }

        if let credit = assessment.credit {
            add("creditScore", Double(850 - credit.score) / 550 * 0.5)
            add("delinquencies", min(Double(credit.delinquencies) * 0.1, 0.3))
            add("debt", min(credit.outstandingDebt.amount / debtCeiling, 0.2))
        } else {
            add("noCreditReport", 0.4)
        }
        if let fraud = assessment.fraud {
            add("fraudRisk", [FraudChecked.RiskLevel.low: 0, .medium: 0.1, .high: 0.3][fraud.riskLevel] ?? 0.3)
            if !fraud.identityVerified { add("unverifiedIdentity", 0.05) }
        } else if assessment.missing.contains(.fraud) {
            add("fraudCheckMissing", 0.15)
        }
        var debtToIncome: Double?
        if let documents = assessment.documents, documents.monthlyIncome.amount > 0 {
            let income = documents.monthlyIncome.amount
            add("loanToIncome", min(assessment.requested.amount / (12 * income) * 0.05, 0.2))
            let monthlyDebt = (assessment.credit?.outstandingDebt.amount ?? 0) * 0.03 + assessment.requested.amount * 0.01
            debtToIncome = (monthlyDebt / income * 100).rounded() / 100
        } else if assessment.missing.contains(.documents) {
            add("documentsMissing", 0.1)
        } else {
            add("unverifiedIncome", 0.05)
        }

        let score = min(max(factors.reduce(0) { $0 + $1.weight }, 0), 1)
        return RiskScored(
            applicationId: assessment.applicationId, applicantId: assessment.applicantId, requested: assessment.requested,
            score: (score * 100).rounded() / 100, grade: RiskScored.Grade.allCases[min(Int(score * 5), 4)],
            debtToIncomeRatio: debtToIncome,
            factors: factors.enumerated().sorted {
                abs($0.element.weight) != abs($1.element.weight) ? abs($0.element.weight) > abs($1.element.weight) : $0.offset < $1.offset
            }.map(\.element),
            model: name, scoredAt: Date())
    }
}
