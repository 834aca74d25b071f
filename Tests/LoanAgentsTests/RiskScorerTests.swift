import AgentBus
import AgentBusTesting
import Foundation
import LoanEvents
import Testing

@testable import risk_scorer

@Suite("risk-scorer")
struct RiskScorerTests {
    func score(_ assessment: AssessmentCompleted) async throws -> RiskScored {
        let tester = try AgentTester(RiskScorerAgent(model: AssessmentRiskModel()), schemas: LoanCatalog.registry)
        let result = try await tester.handle(assessment)
        #expect(result.outcome == .handled)
        return try #require(try result.published(RiskScored.self).first)
    }

    /// The complete example assessment, changed by `change`.
    func assessment(_ change: (inout AssessmentCompleted) -> Void = { _ in }) -> AssessmentCompleted {
        var assessment = AssessmentCompleted.examples[0]
        change(&assessment)
        return assessment
    }

    @Test("a complete assessment: the factors, largest first, add up to the score; grade, ratio and amount carried")
    func complete() async throws {
        let risk = try await score(assessment())
        #expect(risk.applicationId == "APP-004217")
        #expect(risk.applicantId == "CUS-118042")
        #expect(risk.requested == .eur(250_000))
        #expect(risk.factors.map(\.name) == ["loanToIncome", "debt", "creditScore", "delinquencies", "fraudRisk"])
        #expect(risk.factors.map(\.weight) == [0.17, 0.12, 0.1, 0, 0])
        #expect(risk.score == 0.39)
        #expect(risk.grade == .b)
        #expect(risk.debtToIncomeRatio == 0.46)
        #expect(risk.model == "risk-v4")
    }

    @Test("a partial assessment without its fraud result scores more cautiously than with a medium fraud risk")
    func partialWithoutFraud() async throws {
        let medium = try await score(assessment { $0.fraud?.riskLevel = .medium })
        let partial = try await score(assessment { $0.fraud = nil; $0.partial = true; $0.missing = [.fraud] })
        #expect(partial.score > medium.score, "partial \(partial.score), medium fraud risk \(medium.score)")
        #expect(partial.factors.contains { $0.name == "fraudCheckMissing" && $0.weight == 0.15 })
        #expect(RiskScorerTests.rank(partial.grade) >= RiskScorerTests.rank(medium.grade))
    }

    @Test("without documents: no debt-to-income ratio; unverified income, or documents missing when required")
    func withoutDocuments() async throws {
        let notRequired = try await score(assessment { $0.documents = nil })
        #expect(notRequired.debtToIncomeRatio == nil)
        #expect(notRequired.factors.contains { $0.name == "unverifiedIncome" })
        let missing = try await score(assessment { $0.documents = nil; $0.partial = true; $0.missing = [.documents] })
        #expect(missing.factors.contains { $0.name == "documentsMissing" })
        #expect(missing.score > notRequired.score)
    }

    @Test("without a credit report the score starts high; a high fraud risk and many delinquencies give grade E")
    func worstCases() async throws {
        let noCredit = try await score(assessment { $0.credit = nil; $0.partial = true; $0.missing = [.credit] })
        #expect(noCredit.factors.first?.name == "noCreditReport")
        #expect(noCredit.score > (try await score(assessment())).score)
        let bad = try await score(assessment {
            $0.credit?.score = 420
            $0.credit?.delinquencies = 5
            $0.fraud?.riskLevel = .high
        })
        #expect(bad.grade == .e)
        #expect(bad.score <= 1)
    }

    static func rank(_ grade: RiskScored.Grade) -> Int { RiskScored.Grade.allCases.firstIndex(of: grade)! }
}
