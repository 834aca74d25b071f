import AgentBus
import AgentBusTesting
import Foundation
import LoanEvents
import Testing

@testable import decision

@Suite("decision")
struct DecisionTests {
    func decide(
        _ grade: RiskScored.Grade, _ amount: Double, policy: LendingPolicy = LendingPolicy()
    ) async throws -> (made: DecisionMade, approval: ApprovalRequested?) {
        var risk = RiskScored.examples[0]
        risk.grade = grade
        risk.requested = .eur(amount)
        let tester = try AgentTester(DecisionAgent(policy: policy), schemas: LoanCatalog.registry)
        let result = try await tester.handle(risk)
        #expect(result.outcome == .handled)
        let made = try result.published(DecisionMade.self)
        let approvals = try result.published(ApprovalRequested.self)
        #expect(made.count == 1)
        #expect(approvals.count <= 1)
        return (try #require(made.first), approvals.first)
    }

    @Test("a small loan of a good grade is approved on the agent's authority, with a rate")
    func autoApprove() async throws {
        for (grade, amount) in [(RiskScored.Grade.a, 5_000.0), (.b, 150_000)] {
            let (made, approval) = try await decide(grade, amount)
            #expect(made.decision == .approved)
            #expect(made.approvedAmount == .eur(amount))
            #expect(made.interestRatePercent == LendingPolicy.interestRates[grade])
            #expect(!made.requiresHumanApproval)
            #expect(approval == nil)
            #expect(made.applicantId == "CUS-118042")
        }
    }

    @Test("a high risk is declined, whatever the amount, without a human")
    func autoDecline() async throws {
        for (grade, amount) in [(RiskScored.Grade.d, 5_000.0), (.e, 2_000_000)] {
            let (made, approval) = try await decide(grade, amount)
            #expect(made.decision == .declined)
            #expect(made.approvedAmount == nil && made.interestRatePercent == nil)
            #expect(!made.requiresHumanApproval)
            #expect(approval == nil)
        }
    }

    @Test("a grade between is referred to an underwriter")
    func referred() async throws {
        let (made, approval) = try await decide(.c, 5_000)
        #expect(made.decision == .referred)
        #expect(!made.requiresHumanApproval)
        #expect(approval == nil)
    }

    @Test("above the authority: approved subject to the lowest role whose limit covers the amount, due after the timeout")
    func humanApproval() async throws {
        for (amount, role) in [(150_000.01, ApproverRole.underwriter), (200_000, .underwriter), (250_000, .seniorUnderwriter),
                               (1_000_000, .seniorUnderwriter), (1_200_000, .creditCommittee)] {
            let (made, approval) = try await decide(.b, amount)
            #expect(made.decision == .approved)
            #expect(made.requiresHumanApproval)
            let request = try #require(approval, "\(amount)")
            #expect(request.approverRole == role, "\(amount)")
            #expect(request.amount == .eur(amount))
            #expect(request.authorityThreshold == .eur(150_000))
            #expect(request.applicantId == made.applicantId)
            #expect(request.deadline.timeIntervalSince(request.requestedAt) == 60)
        }
    }

    @Test("the thresholds and the approval timeout are settings")
    func settings() async throws {
        var policy = LendingPolicy()
        policy.authority = 10_000
        policy.approveUpToGrade = .c
        policy.declineFromGrade = .e
        policy.approvalTimeout = .seconds(300)
        let (referredBefore, _) = try await decide(.c, 5_000)
        #expect(referredBefore.decision == .referred)
        let (made, approval) = try await decide(.c, 20_000, policy: policy)
        #expect(made.decision == .approved)
        #expect(approval?.authorityThreshold == .eur(10_000))
        #expect(approval.map { $0.deadline.timeIntervalSince($0.requestedAt) } == 300)
        #expect(try await decide(.d, 5_000, policy: policy).made.decision == .referred)
    }

    @Test("a policy that cannot work is refused with its reason; a grade option in any case")
    func badPolicy() throws {
        var policy = LendingPolicy()
        #expect(policy.problem == nil)
        policy.approveUpToGrade = .d
        #expect(policy.problem == "the approve-up-to grade (D) must be better than the decline-from grade (D)")
        policy = LendingPolicy()
        policy.seniorUnderwriterLimit = 100_000
        #expect(policy.problem?.hasPrefix("the limits must rise by role") == true)
        #expect(try DecisionCommand.grade(" c", "approve-up-to", default: .b) == .c)
        #expect(throws: AgentConfigurationError.self) { try DecisionCommand.grade("F", "approve-up-to", default: .b) }
    }
}
