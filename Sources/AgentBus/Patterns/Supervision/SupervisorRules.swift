import DequeModule
import Foundation

/// The supervisor's judgement, without Kafka: fed heartbeats, activity records and dead
/// letters, it says which alerts to raise at a given time.
///
/// Each condition (an instance silent, dead, unhealthy or lagging; a dead-letter topic growing;
/// a workflow stalled) is raised once when it starts to hold and not again while it holds; once
/// it no longer holds it is cleared, and can be raised again. Times are milliseconds since 1970
/// (heartbeat and activity times, record timestamps) and `now` is passed in, so the rules are
/// tested on explicit times.
///
/// Memory is bounded: at most ``SupervisorThresholds/maxTrackedWorkflows`` workflows are
/// watched (the idlest are dropped past it), workflows that reached a terminal type are
/// forgotten (their IDs kept in a ring of the same size, so late records do not revive them),
/// dead-letter topics keep only the newest ``SupervisorThresholds/deadLetterGrowth``
/// timestamps, and what stopped, died or stalled is forgotten after
/// ``SupervisorThresholds/forgetAfter``.
public struct SupervisorRules: Sendable {
    public let thresholds: SupervisorThresholds
    /// The supervisor's agent name, written into each alert.
    public let supervisor: String

    /// Each instance's latest heartbeat, by `<agent>/<instance>`.
    private var instances: [String: Heartbeat] = [:]
    /// Per dead-letter topic, the newest timestamps (at most the growth threshold), oldest first.
    private var deadLetters: [String: Deque<Int64>] = [:]
    /// Each watched workflow's latest activity record, by correlation ID.
    private var workflows: [String: ActivityRecord] = [:]
    /// Workflows that reached a terminal type, newest last, and the same as a set.
    private var finished = Deque<String>()
    private var finishedIDs = Set<String>()
    private var raised = Set<Condition>()
    /// Workflows dropped unjudged because more than the cap were idle at once.
    public private(set) var droppedWorkflows = 0

    private enum Condition: Hashable {
        case instance(SupervisorAlert.Kind, String)
        case deadLetters(String)
        case stalled(String)
    }

    public init(thresholds: SupervisorThresholds = SupervisorThresholds(), supervisor: String = "supervisor") {
        self.thresholds = thresholds
        self.supervisor = supervisor
    }

    /// Instances and workflows being watched now.
    public var trackedInstances: Int { instances.count }
    public var trackedWorkflows: Int { workflows.count }

    /// The latest activity record of a watched workflow: what a stalled workflow's alert hangs
    /// from, and what a redrive sends again.
    public func lastActivity(ofWorkflow correlationID: String) -> ActivityRecord? { workflows[correlationID] }

    // MARK: Feeding

    /// An instance's heartbeat; an older one than already seen is ignored.
    public mutating func observe(_ heartbeat: Heartbeat) {
        if let known = instances[heartbeat.key], known.time > heartbeat.time { return }
        instances[heartbeat.key] = heartbeat
    }

    /// One dead letter in `topic` (`<agent>.dlt`), written at `time`.
    public mutating func observeDeadLetter(topic: String, at time: Int64) {
        guard let growth = thresholds.deadLetterGrowth, growth > 0 else { return }
        var times = deadLetters[topic] ?? []
        if times.count >= growth, let oldest = times.first, time <= oldest { return }
        // Records arrive in offset order, so nearly always in time order; keep the few sorted.
        let index = times.lastIndex(where: { $0 <= time }).map { $0 + 1 } ?? 0
        times.insert(time, at: index)
        while times.count > growth { times.removeFirst() }
        deadLetters[topic] = times
    }

    /// An activity record: progress of its workflow, or its end when it handled a terminal type.
    /// Alerts' own activity (an agent that handles alerts) is not progress of the workflow.
    public mutating func observe(_ activity: ActivityRecord) {
        guard !thresholds.terminalTypes.isEmpty, let correlationID = activity.correlationId,
            activity.type != SupervisorAlert.eventType, !finishedIDs.contains(correlationID)
        else { return }
        // A terminal type handled, or the workflow cancelled (its events are skipped from then on).
        if activity.type.map(thresholds.terminalTypes.contains) == true || activity.outcome == .cancelled {
            finish(correlationID)
            return
        }
        if let known = workflows[correlationID], known.finishedAt > activity.finishedAt { return }
        if workflows[correlationID] == nil, workflows.count >= max(1, thresholds.maxTrackedWorkflows) {
            dropIdlestWorkflows()
        }
        workflows[correlationID] = activity
        // New activity is a new occurrence: a stall after it is news again.
        raised.remove(.stalled(correlationID))
    }

    /// An event of a terminal type was published in workflow `correlationID`: it has ended,
    /// whether or not any agent handles that type.
    public mutating func observeTerminalEvent(correlationID: String) {
        guard !thresholds.terminalTypes.isEmpty, !finishedIDs.contains(correlationID) else { return }
        finish(correlationID)
    }

    private mutating func finish(_ correlationID: String) {
        workflows[correlationID] = nil
        raised.remove(.stalled(correlationID))
        rememberFinished(correlationID)
    }

    private mutating func rememberFinished(_ correlationID: String) {
        guard finishedIDs.insert(correlationID).inserted else { return }
        finished.append(correlationID)
        while finished.count > max(1, thresholds.maxTrackedWorkflows) {
            finishedIDs.remove(finished.removeFirst())
        }
    }

    /// Drops the idlest tenth of the watched workflows at once, so the sort is paid once per
    /// that many new workflows rather than for each.
    private mutating func dropIdlestWorkflows() {
        let count = max(1, workflows.count / 10)
        let idlest = workflows.values.sorted { $0.finishedAt < $1.finishedAt }.prefix(count)
        for activity in idlest {
            guard let correlationID = activity.correlationId else { continue }
            workflows[correlationID] = nil
            raised.remove(.stalled(correlationID))
        }
        droppedWorkflows += count
    }

    // MARK: Judging

    /// The alerts to raise at `now`: conditions that hold and were not raised yet. Conditions
    /// that no longer hold are cleared.
    public mutating func evaluate(now: Int64) -> [SupervisorAlert] {
        var alerts: [SupervisorAlert] = []
        evaluateInstances(now: now, into: &alerts)
        evaluateDeadLetters(now: now, into: &alerts)
        evaluateWorkflows(now: now, into: &alerts)
        return alerts
    }

    /// Marks `condition` raised when it holds, cleared when it does not; true when it has just
    /// been raised.
    private mutating func raises(_ condition: Condition, holds: Bool) -> Bool {
        guard holds else {
            raised.remove(condition)
            return false
        }
        return raised.insert(condition).inserted
    }

    private mutating func evaluateInstances(now: Int64, into alerts: inout [SupervisorAlert]) {
        let forgetAfter = thresholds.forgetAfter.wholeMilliseconds
        for key in instances.keys.sorted() {
            let heartbeat = instances[key]!
            let interval = max(heartbeat.intervalMs, 1)
            let age = max(0, now - heartbeat.time)
            let stopped = heartbeat.status == .stopped
            let silentAfter = Int64(thresholds.silentAfterIntervals) * interval
            let deadAfter = Int64(thresholds.deadAfterIntervals) * interval
            let dead = !stopped && age > deadAfter
            if (stopped || dead) && age > forgetAfter {
                instances[key] = nil
                for kind in [SupervisorAlert.Kind.instanceSilent, .instanceDead, .instanceUnhealthy, .lagHigh] {
                    raised.remove(.instance(kind, key))
                }
                continue
            }
            let subject = SupervisorAlert.Subject(agent: heartbeat.agent, instance: heartbeat.instance)
            let name = "\(heartbeat.agent)/\(heartbeat.instance)"
            func alert(_ kind: SupervisorAlert.Kind, _ severity: SupervisorAlert.Severity, _ message: String,
                       _ observed: SupervisorAlert.Observed) -> SupervisorAlert {
                SupervisorAlert(
                    kind: kind, severity: severity, subject: subject, message: message, observed: observed,
                    supervisor: supervisor, raisedAt: Self.date(now))
            }
            if raises(.instance(.instanceSilent, key), holds: !stopped && age > silentAfter) {
                alerts.append(
                    alert(
                        .instanceSilent, .warning,
                        "\(name) sent no heartbeat for \(Self.text(age)) (over \(thresholds.silentAfterIntervals) intervals of \(Self.text(interval)))",
                        .init(silentForMs: age, intervalMs: interval, status: heartbeat.status.rawValue, threshold: silentAfter)))
            }
            if raises(.instance(.instanceDead, key), holds: dead) {
                alerts.append(
                    alert(
                        .instanceDead, .critical,
                        "\(name) sent no heartbeat for \(Self.text(age)) (over \(thresholds.deadAfterIntervals) intervals of \(Self.text(interval))) and never said it stopped",
                        .init(silentForMs: age, intervalMs: interval, status: heartbeat.status.rawValue, threshold: deadAfter)))
            }
            if raises(.instance(.instanceUnhealthy, key), holds: !dead && heartbeat.status == .unhealthy) {
                alerts.append(
                    alert(
                        .instanceUnhealthy, .warning,
                        "\(name) reports itself unhealthy: \(heartbeat.abandoned) handler(s) abandoned at their deadline still run; restart it",
                        .init(status: heartbeat.status.rawValue, abandoned: heartbeat.abandoned)))
            }
            let lagThreshold = thresholds.lag ?? .max
            if raises(.instance(.lagHigh, key), holds: !stopped && !dead && heartbeat.lag > lagThreshold) {
                alerts.append(
                    alert(
                        .lagHigh, .warning, "\(name) is \(heartbeat.lag) record(s) behind (threshold \(lagThreshold))",
                        .init(lag: heartbeat.lag, threshold: lagThreshold)))
            }
        }
    }

    private mutating func evaluateDeadLetters(now: Int64, into alerts: inout [SupervisorAlert]) {
        guard let growth = thresholds.deadLetterGrowth, growth > 0 else { return }
        let window = thresholds.deadLetterWindow.wholeMilliseconds
        for topic in deadLetters.keys.sorted() {
            let recent = deadLetters[topic]!.count { $0 > now - window && $0 <= now }
            let agent = topic.hasSuffix(".dlt") ? String(topic.dropLast(4)) : nil
            if raises(.deadLetters(topic), holds: recent >= growth) {
                alerts.append(
                    SupervisorAlert(
                        kind: .deadLettersGrowing, severity: .warning, subject: .init(agent: agent, topic: topic),
                        message: "\(topic) gained \(recent) dead letter(s) within \(Self.text(window)) (threshold \(growth))",
                        observed: .init(deadLetters: recent, windowMs: window, threshold: Int64(growth)),
                        supervisor: supervisor, raisedAt: Self.date(now)))
            }
            if recent == 0 { deadLetters[topic] = nil }
        }
    }

    private mutating func evaluateWorkflows(now: Int64, into alerts: inout [SupervisorAlert]) {
        let stallAfter = thresholds.stallAfter.wholeMilliseconds
        let forgetAfter = thresholds.forgetAfter.wholeMilliseconds
        for correlationID in workflows.keys.sorted() {
            let last = workflows[correlationID]!
            let idle = max(0, now - last.finishedAt)
            if idle > max(forgetAfter, stallAfter) {
                workflows[correlationID] = nil
                raised.remove(.stalled(correlationID))
                continue
            }
            if raises(.stalled(correlationID), holds: idle > stallAfter) {
                alerts.append(
                    SupervisorAlert(
                        kind: .workflowStalled, severity: .warning,
                        subject: .init(agent: last.agent, correlationId: correlationID),
                        message: "workflow \(correlationID) has had no activity for \(Self.text(idle)), since \(last.agent) handled \(last.type ?? "an unreadable record") (\(last.outcome.rawValue))",
                        observed: .init(
                            threshold: stallAfter, idleMs: idle, lastEventId: last.eventId, lastEventType: last.type,
                            lastOutcome: last.outcome.rawValue),
                        supervisor: supervisor, raisedAt: Self.date(now)))
            }
        }
    }

    // MARK: Text

    private static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// `850 ms`, `15.2 s`, `5m 2s`, `2h 5m`: a duration in a message.
    static func text(_ milliseconds: Int64) -> String {
        switch milliseconds {
        case ..<1000: return "\(milliseconds) ms"
        case ..<60_000:
            let tenths = milliseconds / 100
            return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
        case ..<3_600_000:
            let seconds = milliseconds / 1000
            return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m \(seconds % 60)s"
        default:
            let minutes = milliseconds / 60_000
            return minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes / 60)h \(minutes % 60)m"
        }
    }
}
