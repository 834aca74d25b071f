import AgentBus
import Foundation
import LoanEvents

/// Collects the checks an application needs (its ``ApplicationReceived/requiredChecks``, the
/// fan-out) into one ``AssessmentCompleted`` (the fan-in), with a deadline.
///
/// Built on ``FanIn``: each workflow's collection, the application's facts included, is one key
/// of the agent's state, so a restart mid-way loses nothing and a crash cannot keep half of a
/// handling's changes; a check reported twice counts once. The deadline is a durable timer
/// (``AssessmentDue``), set when the application arrives and cancelled when the last check is in.
/// At the deadline the assessment completes with what arrived, marked partial, unless the credit
/// check is missing (no score without it) or the policy is `fail`: then ``AssessmentFailed``.
struct AggregatorAgent: Agent {
    let name = "aggregator"
    let version = "1.0.0"
    let produces = [AssessmentCompleted.eventType, AssessmentFailed.eventType, AssessmentDue.eventType]
    let capabilities = ["assessment-fan-in"]
    let usesState = true
    let usesTimers = true
    /// How long the checks have, from the application's arrival.
    let deadline: Duration
    let fanIn: FanIn<CheckResult>

    init(deadline: Duration, onDeadline: FanIn<CheckResult>.DeadlinePolicy) {
        self.deadline = deadline
        fanIn = FanIn(name: "assessment", onDeadline: onDeadline)
    }

    var handlers: [EventHandler] {
        EventHandler(ApplicationReceived.self) { [fanIn, deadline] application, context in
            let facts = ApplicationFacts(
                applicationId: application.applicationId, applicantId: application.applicantId,
                requested: application.requested)
            // Kept in the collection itself, under a branch of its own that no check waits for.
            _ = try fanIn.record(CheckResult(application: facts), from: Self.applicationBranch, in: context)
            let decision = try fanIn.open(expecting: Set(application.requiredChecks.map(\.rawValue)), in: context)
            // From when the aggregator takes the application in: after a backlog, the checks get
            // their full time too.
            let (seconds, attoseconds) = deadline.components
            let due = Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
            if case .waiting = decision {
                try context.schedule(
                    AssessmentDue(applicationId: application.applicationId, applicantId: application.applicantId, dueAt: due),
                    at: due, name: fanIn.timerName)
            }
            try Self.publish(decision, facts: facts, fanIn: fanIn, context)
        }
        EventHandler(CreditChecked.self) { [fanIn] check, context in
            try Self.record(
                CheckResult(credit: CreditResult(check)), from: .credit, applicationId: check.applicationId,
                applicantId: check.applicantId, fanIn: fanIn, context)
        }
        EventHandler(FraudChecked.self) { [fanIn] check, context in
            try Self.record(
                CheckResult(fraud: FraudResult(check)), from: .fraud, applicationId: check.applicationId,
                applicantId: check.applicantId, fanIn: fanIn, context)
        }
        EventHandler(DocumentsExtracted.self) { [fanIn] documents, context in
            try Self.record(
                CheckResult(documents: DocumentsResult(documents)), from: .documents, applicationId: documents.applicationId,
                applicantId: nil, fanIn: fanIn, context)
        }
        EventHandler(AssessmentDue.self) { [fanIn] due, context in
            guard let facts = try Self.facts(fanIn, context) else {
                // A cleanup of results whose application never came, or a timer handled again
                // after its collection was removed: nothing to assess, nothing to say.
                try fanIn.forgetOrphan(in: context)
                return
            }
            let decision = try fanIn.expire(in: context)
            // The cleanup timer of an ended collection: state keeps only collections in progress.
            if case .alreadyEnded = decision, try fanIn.forget(in: context) { return }
            try Self.publish(decision, facts: facts, fanIn: fanIn, context)
        }
    }

    /// The branch of the collection that holds the application's facts.
    static let applicationBranch = "application"

    /// Records one check's result. A result that comes before its application (the topics are
    /// read independently) is kept, with a cleanup timer in case the application never comes.
    static func record(
        _ result: CheckResult, from check: AssessmentCheck, applicationId: String, applicantId: String?,
        fanIn: FanIn<CheckResult>, _ context: HandlerContext
    ) throws {
        let facts = try Self.facts(fanIn, context)
        let decision = try fanIn.record(result, from: check.rawValue, in: context)
        if facts == nil, case .waiting = decision {
            try context.schedule(
                AssessmentDue(
                    applicationId: applicationId, applicantId: applicantId,
                    dueAt: Date().addingTimeInterval(Double(fanIn.retention.components.seconds))),
                after: fanIn.retention, name: fanIn.cleanupTimerName)
        }
        try publish(decision, facts: facts, fanIn: fanIn, context)
    }

    /// The application's facts, if the application was seen.
    static func facts(_ fanIn: FanIn<CheckResult>, _ context: HandlerContext) throws -> ApplicationFacts? {
        try fanIn.state(in: context).results[applicationBranch]?.application
    }

    /// Publishes what the fan-in decided: the assessment (complete or partial) or its failure.
    /// Both are named outputs, so whichever handling ends the collection publishes the same IDs
    /// when it runs again.
    static func publish(
        _ decision: FanInDecision<CheckResult>, facts: ApplicationFacts?, fanIn: FanIn<CheckResult>, _ context: HandlerContext
    ) throws {
        func assessment(_ results: [String: CheckResult], missing: [String]) throws {
            guard let facts else { return }  // the application was not seen: nothing to assess
            let credit = results[AssessmentCheck.credit.rawValue]?.credit
            let missingChecks = missing.compactMap(AssessmentCheck.init(rawValue:))
            guard credit != nil else {
                try fail(missingChecks, because: "no credit report by the deadline: the assessment cannot be scored without one")
                return
            }
            try context.publish(
                AssessmentCompleted(
                    applicationId: facts.applicationId, applicantId: facts.applicantId, requested: facts.requested,
                    credit: credit, fraud: results[AssessmentCheck.fraud.rawValue]?.fraud,
                    documents: results[AssessmentCheck.documents.rawValue]?.documents, missing: missingChecks,
                    completedAt: Date()),
                name: "assessment")
        }
        func fail(_ missing: [AssessmentCheck], because reason: String) throws {
            guard let facts else { return }
            try context.publish(
                AssessmentFailed(
                    applicationId: facts.applicationId, applicantId: facts.applicantId, reason: reason, missing: missing,
                    failedAt: Date()),
                name: "assessment")
        }
        /// Removes the ended collection once its redeliveries are past.
        func scheduleCleanup() throws {
            guard let facts else { return }
            let (seconds, _) = fanIn.retention.components
            try context.schedule(
                AssessmentDue(
                    applicationId: facts.applicationId, applicantId: facts.applicantId,
                    dueAt: Date().addingTimeInterval(Double(seconds))),
                after: fanIn.retention, name: fanIn.cleanupTimerName)
        }
        switch decision {
        case .complete(let results):
            try context.cancelTimer(named: fanIn.timerName)
            try assessment(results, missing: [])
            try scheduleCleanup()
        case .partial(let results, let missing):
            context.logger.warning("assessment deadline passed; completing without some checks", metadata: ["missing": "\(missing)"])
            try assessment(results, missing: missing)
            try scheduleCleanup()
        case .failed(let missing):
            try fail(missing.compactMap(AssessmentCheck.init(rawValue:)), because: "checks missing at the deadline: \(missing.joined(separator: ", "))")
            try scheduleCleanup()
        case .waiting, .duplicate, .alreadyEnded:
            break
        }
    }
}
