import AgentBus

/// The event types of the example system, a loan application workflow.
///
/// An application is submitted and normalized by intake, which decides the checks it needs; its
/// documents are extracted and its credit and fraud checked in parallel; the results are
/// collected into an assessment; the risk is scored, a decision is made, large amounts go through
/// a human approval, and the applicant is notified. The schemas, the source of truth, are in `schemas/`.
public enum LoanEvents {
    /// Every type, in workflow order, for registration and for the test that each has a schema.
    public static let all: [any TypedEvent.Type] = [
        ApplicationSubmitted.self,
        ApplicationReceived.self,
        DocumentsExtracted.self,
        CreditChecked.self,
        FraudChecked.self,
        AssessmentCompleted.self,
        AssessmentFailed.self,
        AssessmentDue.self,
        RiskScored.self,
        DecisionMade.self,
        ApprovalRequested.self,
        ApprovalGranted.self,
        ApprovalRejected.self,
        ApprovalExpired.self,
        NotificationSent.self,
        DecisionExplained.self,
    ]
}
