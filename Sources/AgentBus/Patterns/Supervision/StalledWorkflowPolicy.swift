/// What a ``Supervisor`` does about a stalled workflow, besides publishing its alert.
public enum StalledWorkflowPolicy: String, Sendable, Hashable, CaseIterable {
    /// Publish a `workflow-stalled` alert (warning).
    case alert
    /// Publish it with severity critical, for whoever pages people.
    case escalate
    /// Send the workflow's last handled event again, with a new ID and the same correlation ID,
    /// so its agent handles it once more; the alert (warning) names the new event. A workflow
    /// that stalls again after its redrive is escalated instead: redriving for ever would only
    /// repeat work while whatever stops it stays broken.
    case redrive
}
