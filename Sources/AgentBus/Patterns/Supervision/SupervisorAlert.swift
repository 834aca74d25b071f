import Foundation

/// What a ``Supervisor`` publishes when it sees something wrong: an instance gone silent or
/// dead, one that reports itself unhealthy or far behind, dead letters piling up, or a workflow
/// that stopped before its end.
///
/// Topic `agentbus.alerts`, schema `schemas/dev.agentbus.supervisor.alert.v1.json` (copy it into
/// your catalog). Each condition is raised once per occurrence and again only after it cleared,
/// so every alert is news. A stalled workflow's alert is a child of the workflow's last event
/// (same correlation ID), so it shows in `agentbus replay` of that workflow; the others are root
/// events.
public struct SupervisorAlert: TypedEvent, Equatable, Hashable {
    public static let eventType = "dev.agentbus.supervisor.alert.v1"
    /// The topic the schema names (`x-agentbus-topic`).
    public static let topic = "agentbus.alerts"

    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// No heartbeat for the dead threshold, and the instance never said it stopped.
        case instanceDead = "instance-dead"
        /// No heartbeat for the silent threshold (shorter than the dead one).
        case instanceSilent = "instance-silent"
        /// The instance's heartbeat says `unhealthy`: too many abandoned handlers still running.
        case instanceUnhealthy = "instance-unhealthy"
        /// An agent's dead-letter topic gained at least the threshold within the window.
        case deadLettersGrowing = "dead-letters-growing"
        /// An instance's heartbeat reports more lag than the threshold.
        case lagHigh = "lag-high"
        /// A workflow had no activity for the stall deadline and reached no terminal event type.
        case workflowStalled = "workflow-stalled"
    }

    public enum Severity: String, Codable, Sendable, Hashable, CaseIterable {
        case warning, critical
    }

    /// What the alert is about; the fields that fit the kind are set.
    public struct Subject: Codable, Sendable, Hashable {
        public var agent: String?
        public var instance: String?
        public var correlationId: String?
        public var topic: String?

        public init(agent: String? = nil, instance: String? = nil, correlationId: String? = nil, topic: String? = nil) {
            self.agent = agent
            self.instance = instance
            self.correlationId = correlationId
            self.topic = topic
        }
    }

    /// The values that raised the alert. Durations are in milliseconds.
    public struct Observed: Codable, Sendable, Hashable {
        /// Since the instance's last heartbeat.
        public var silentForMs: Int64?
        /// The instance's heartbeat interval.
        public var intervalMs: Int64?
        /// The status of the instance's last heartbeat.
        public var status: String?
        /// Handlers abandoned at their deadline and still running.
        public var abandoned: Int?
        /// Dead letters within ``windowMs``.
        public var deadLetters: Int?
        public var windowMs: Int64?
        public var lag: Int64?
        /// The threshold crossed, in the unit of the value it applies to.
        public var threshold: Int64?
        /// Since the workflow's last activity.
        public var idleMs: Int64?
        public var lastEventId: String?
        public var lastEventType: String?
        /// The outcome of the workflow's last activity record (`ok`, `dead-lettered`, ...).
        public var lastOutcome: String?

        public init(
            silentForMs: Int64? = nil, intervalMs: Int64? = nil, status: String? = nil, abandoned: Int? = nil,
            deadLetters: Int? = nil, windowMs: Int64? = nil, lag: Int64? = nil, threshold: Int64? = nil,
            idleMs: Int64? = nil, lastEventId: String? = nil, lastEventType: String? = nil, lastOutcome: String? = nil
        ) {
            self.silentForMs = silentForMs
            self.intervalMs = intervalMs
            self.status = status
            self.abandoned = abandoned
            self.deadLetters = deadLetters
            self.windowMs = windowMs
            self.lag = lag
            self.threshold = threshold
            self.idleMs = idleMs
            self.lastEventId = lastEventId
            self.lastEventType = lastEventType
            self.lastOutcome = lastOutcome
        }
    }

    public var kind: Kind
    public var severity: Severity
    public var subject: Subject
    /// One line for a person.
    public var message: String
    public var observed: Observed
    /// The agent name of the supervisor that raised it.
    public var supervisor: String
    public var raisedAt: Date
    /// With ``StalledWorkflowPolicy/redrive``: the `ce_id` of the stalled workflow's last event
    /// as sent again.
    public var redrivenEventId: String?

    public init(
        kind: Kind, severity: Severity, subject: Subject, message: String, observed: Observed, supervisor: String,
        raisedAt: Date, redrivenEventId: String? = nil
    ) {
        self.kind = kind
        self.severity = severity
        self.subject = subject
        self.message = message
        self.observed = observed
        self.supervisor = supervisor
        self.raisedAt = raisedAt
        self.redrivenEventId = redrivenEventId
    }

    public static let examples: [SupervisorAlert] = [
        SupervisorAlert(
            kind: .instanceDead, severity: .critical, subject: Subject(agent: "credit-check", instance: "credit-check-a"),
            message: "credit-check/credit-check-a sent no heartbeat for 15.2 s (3 intervals of 5 s) and never said it stopped",
            observed: Observed(silentForMs: 15_200, intervalMs: 5_000, status: "running", threshold: 15_000),
            supervisor: "supervisor", raisedAt: Date(timeIntervalSince1970: 1_795_252_800)),  // 2026-11-21T09:20:00Z
        SupervisorAlert(
            kind: .workflowStalled, severity: .warning,
            subject: Subject(agent: "credit-check", correlationId: "4b1e2f4a-9c59-4f5e-8a43-6f0d2b7c9e11"),
            message: "workflow 4b1e2f4a-9c59-4f5e-8a43-6f0d2b7c9e11 has had no activity for 5m 2s, since credit-check handled dev.agentbus.loan.application.received.v1 (ok)",
            observed: Observed(
                threshold: 300_000, idleMs: 302_000, lastEventId: "0d7f3c55-2b8e-4a51-9e7c-3f1a6b2d8c40",
                lastEventType: "dev.agentbus.loan.application.received.v1", lastOutcome: "ok"),
            supervisor: "supervisor", raisedAt: Date(timeIntervalSince1970: 1_795_253_102)),  // 2026-11-21T09:25:02Z
    ]
}
