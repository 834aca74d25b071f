import Foundation
import LoanEvents

/// What the applicant is told, and how, for each way an application ends: the template per
/// outcome, on one channel and in one locale.
///
/// The seam where a message writer (a template engine, or a model that drafts the letter) and
/// the providers that deliver it plug in; this one only names the template.
struct NotificationComposer: Sendable {
    var channel: NotificationSent.Channel = .email
    /// A BCP 47 language-region tag (`en-GB`).
    var locale = "en-GB"

    /// The notification of `decision`, or nil when it awaits a human approval (the approval's
    /// answer is what the applicant is told).
    func notification(for decision: DecisionMade, at now: Date) -> NotificationSent? {
        guard !decision.requiresHumanApproval else { return nil }
        let outcome = NotificationSent.Outcome(decision.decision)
        return notification(decision.applicationId, decision.applicantId, outcome, template: "loan-\(outcome.rawValue)", at: now)
    }

    func notification(for failed: AssessmentFailed, at now: Date) -> NotificationSent {
        notification(failed.applicationId, failed.applicantId, .notAssessed, template: "application-not-assessed", at: now)
    }

    private func notification(
        _ applicationID: String, _ applicantID: String, _ outcome: NotificationSent.Outcome, template: String, at now: Date
    ) -> NotificationSent {
        NotificationSent(
            applicationId: applicationID, applicantId: applicantID, channel: channel, template: template, locale: locale,
            outcome: outcome, sentAt: now)
    }
}
