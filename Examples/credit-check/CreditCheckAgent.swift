import AgentBus
import Foundation
import LoanEvents

/// Pulls the applicant's credit report for each application whose
/// ``ApplicationReceived/requiredChecks`` list ``AssessmentCheck/credit``; other applications
/// are left alone.
///
/// The bureau here is a stand-in: the report is derived from the applicant ID, so the same
/// application always gets the same report (and re-running the workflow gives the same result).
struct CreditCheckAgent: Agent {
    let name = "credit-check"
    let version = "1.0.0"
    let produces = [CreditChecked.eventType]
    let capabilities = ["credit-report"]
    /// The bureau client, made once by the command and shared by every handler call.
    let bureau: CreditBureau

    var handlers: [EventHandler] {
        EventHandler(ApplicationReceived.self) { [bureau] application, context in
            guard application.requiredChecks.contains(.credit) else { return }
            let report = try await bureau.report(for: application.applicantId)
            try context.publish(
                CreditChecked(
                    applicationId: application.applicationId, applicantId: application.applicantId,
                    bureau: report.bureau, score: report.score, openAccounts: report.openAccounts,
                    delinquencies: report.delinquencies, outstandingDebt: .rounded(report.debt, currency: application.requested.currency),
                    checkedAt: Date()))
        }
    }
}
