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

/// The human approval gate: the first answer to the current request becomes the final decision,
/// a late or superseded one changes nothing, a role too low is refused, and an unanswered request
/// escalates or is declined at its deadline.
@Suite("decision: approval gate")
struct ApprovalGateTests {
    /// A grade-A loan of 250,000: above the agent's authority, so a senior underwriter must approve.
    func opened(_ agent: DecisionAgent = DecisionAgent(policy: LendingPolicy())) async throws
        -> (AgentTester, request: EventEnvelope, expiry: EventEnvelope, correlation: String)
    {
        let tester = try AgentTester(agent, schemas: LoanCatalog.registry)
        var risk = RiskScored.examples[0]
        risk.grade = .a
        risk.requested = .eur(250_000)
        let result = try await tester.handle(risk, correlationID: "wf-approval")
        let request = try #require(result.published(type: ApprovalRequested.eventType).first)
        #expect(try request.decode(as: ApprovalRequested.self).approverRole == .seniorUnderwriter)
        let expiry = try #require(result.timers.first?.event, "the request's expiry timer is set")
        #expect(try expiry.decode(as: ApprovalExpired.self).requestId == request.id)
        return (tester, request, expiry, "wf-approval")
    }

    func granted(_ requestID: String, role: ApproverRole, name: String = "Priya Raman") -> ApprovalGranted {
        var granted = ApprovalGranted.examples[0]
        granted.requestId = requestID
        granted.approver = Approver(id: "EMP-30417", name: name, role: role)
        return granted
    }

    @Test("the first decision is final; a second one is refused and changes nothing")
    func firstDecisionWins() async throws {
        let (tester, request, _, correlation) = try await opened()
        let first = try await tester.handle(granted(request.id, role: .seniorUnderwriter), correlationID: correlation)
        let final = try first.published(DecisionMade.self)
        #expect(final.map(\.decision) == [.approved])
        #expect(final.first?.requiresHumanApproval == false)
        #expect(first.timers.first?.due == nil, "the expiry timer is cancelled")
        #expect(first.timers.first?.id.hasSuffix("/approval senior-underwriter") == true)
        #expect(first.timers.last?.id.hasSuffix("/approval cleanup") == true, "the decided case is removed later")
        var rejected = ApprovalRejected.examples[0]
        rejected.requestId = request.id
        let second = try await tester.handle(rejected, correlationID: correlation)
        #expect(second.outcome == .handled)
        #expect(try second.published(DecisionMade.self).isEmpty)
    }

    @Test("an approver whose role is below the request's is refused (dead-lettered), and the request stays open")
    func roleTooLow() async throws {
        let (tester, request, _, correlation) = try await opened()
        let low = try await tester.handle(granted(request.id, role: .underwriter), correlationID: correlation)
        #expect(low.outcome == .deadLettered(.permanent))
        #expect(low.deadLetter?.reason.contains("may not decide") == true)
        let proper = try await tester.handle(granted(request.id, role: .creditCommittee), correlationID: correlation)
        #expect(try proper.published(DecisionMade.self).map(\.decision) == [.approved])
    }

    @Test("at the deadline an undecided request escalates to the next role, superseding the first")
    func escalates() async throws {
        let (tester, request, expiry, _) = try await opened()
        let fired = try await tester.handle(expiry)
        let escalated = try #require(fired.published(ApprovalRequested.self).first)
        #expect(escalated.approverRole == .creditCommittee)
        #expect(escalated.supersedes == request.id)
        #expect(fired.timers.count == 1, "a new expiry timer for the new request")
        // A decision on the superseded request no longer counts.
        let late = try await tester.handle(granted(request.id, role: .creditCommittee), correlationID: expiry.correlationID)
        #expect(try late.published(DecisionMade.self).isEmpty)
        // The committee's expiry, with no role above, declines the loan.
        let last = try #require(fired.timers.first?.event)
        let declined = try await tester.handle(last)
        #expect(try declined.published(DecisionMade.self).map(\.decision) == [.declined])
    }

    @Test("with the decline policy, an undecided request is declined at its deadline")
    func declines() async throws {
        let (tester, _, expiry, _) = try await opened(DecisionAgent(policy: LendingPolicy(), onApprovalTimeout: .decline))
        let fired = try await tester.handle(expiry)
        #expect(try fired.published(DecisionMade.self).map(\.decision) == [.declined])
        #expect(try fired.published(ApprovalRequested.self).isEmpty)
        // The same expiry handled again (a crash before its offset was stored): the same decline
        // again, with the same ID, rather than nothing.
        var again = expiry
        again.source = "/agents/decision-again"
        let refired = try await tester.handle(again)
        #expect(refired.published(type: DecisionMade.eventType).map(\.id) == fired.published(type: DecisionMade.eventType).map(\.id))
    }
}
