import AgentBus
import AgentBusTesting
import Foundation
import LoanEvents
import Synchronization
import Testing

@testable import notifier

@Suite("notifier")
struct NotifierTests {
    func tester(_ composer: NotificationComposer = NotificationComposer()) throws -> AgentTester {
        try AgentTester(NotifierAgent(composer: composer), schemas: LoanCatalog.registry)
    }

    func notifications(_ result: HandlingResult) throws -> [NotificationSent] {
        #expect(result.outcome == .handled)
        return try result.published(NotificationSent.self)
    }

    @Test("a decision that needs no approval ends the workflow: its outcome told, keyed by applicant")
    func decisions() async throws {
        let tester = try tester()
        var declined = DecisionMade.examples[1]
        let result = try await tester.handle(declined)
        let sent = try notifications(result)
        #expect(sent.map(\.outcome) == [.declined])
        #expect(sent.first?.template == "loan-declined")
        #expect(sent.first?.applicantId == "CUS-207315")
        #expect(result.outputs.first?.envelope.key == "CUS-207315")

        declined.decision = .referred
        #expect(try notifications(await tester.handle(declined)).map(\.template) == ["loan-referred"])

        var approved = DecisionMade.examples[0]
        approved.requiresHumanApproval = false
        #expect(try notifications(await tester.handle(approved)).map(\.outcome) == [.approved])
    }

    @Test("a decision awaiting human approval tells nobody yet")
    func awaitingApproval() async throws {
        #expect(DecisionMade.examples[0].requiresHumanApproval)
        #expect(try notifications(await tester().handle(DecisionMade.examples[0])).isEmpty)
    }

    @Test("an approver's answer is not the notifier's: the decision agent turns it into the final decision")
    func approvals() async throws {
        let tester = try tester()
        #expect(try await tester.handle(ApprovalGranted.examples[0]).outcome == .notHandled)
        #expect(try await tester.handle(ApprovalRejected.examples[0]).outcome == .notHandled)
    }

    @Test("a failed assessment is told as not assessed, on the configured channel and locale")
    func assessmentFailed() async throws {
        let composer = NotificationComposer(channel: .letter, locale: "sv-SE")
        let sent = try notifications(await tester(composer).handle(AssessmentFailed.examples[0]))
        #expect(sent.count == 1)
        #expect(sent.first?.outcome == .notAssessed)
        #expect(sent.first?.template == "application-not-assessed")
        #expect(sent.first?.channel == .letter)
        #expect(sent.first?.locale == "sv-SE")
    }

    /// A provider that keeps what it was handed, as a real one would deliver it.
    final class RecordingProvider: NotificationProvider {
        private let sent = Mutex<[NotificationSent]>([])
        var count: Int { sent.withLock { $0.count } }
        func send(_ notification: NotificationSent, context: HandlerContext) async throws {
            sent.withLock { $0.append(notification) }
        }
    }

    @Test("an event handled again (read again after a crash, on any instance) is not sent again: the journal's notification is published")
    func sentOnce() async throws {
        let clock = ManualClock()
        let provider = RecordingProvider()
        // Each handling composes its notification a minute after the previous one: only the
        // journal can make the second publish the first one's time.
        let compositions = Mutex(0)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let agent = NotifierAgent(composer: NotificationComposer(), provider: provider) {
            compositions.withLock { count in
                defer { count += 1 }
                return start.addingTimeInterval(60 * Double(count))
            }
        }
        let tester = try AgentTester(agent, schemas: LoanCatalog.registry, clock: clock)
        let first = try await tester.handle(AssessmentFailed.examples[0])
        let event = try #require(first.input)
        #expect(provider.count == 1)
        #expect(tester.journaledEffects == 1)

        // Past the dedupe window, as for an instance that never saw the first handling: only
        // the effect journal knows the event was sent.
        clock.advance(by: agent.policies.dedupeWindow + .seconds(1))
        let again = await tester.handle(event)
        #expect(again.outcome == .handled)
        #expect(provider.count == 1, "the notification was sent twice")
        #expect(compositions.withLock { $0 } == 2, "the second handling did not compose anew")
        #expect(try notifications(again) == notifications(first))
        #expect(try notifications(again).map(\.sentAt) == [start])
        #expect(again.outputs.map(\.envelope.id) == first.outputs.map(\.envelope.id))
    }
}
