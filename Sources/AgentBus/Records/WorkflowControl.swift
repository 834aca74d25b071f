import JSONSchema

/// A control record on `agentbus.control`, keyed by correlation ID, which every instance of
/// every agent follows. Today one action: cancelling a workflow.
public struct WorkflowControl: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable {
        /// Drop the workflow's events not yet started, cancel its handlers in flight, retire its
        /// timers.
        case cancel
    }

    public var action: Action
    public var correlationId: String
    /// Why, in the words of whoever cancelled it.
    public var reason: String
    /// Who asked: the user name of the CLI's process, or a service's name.
    public var requestedBy: String
    /// Where from: the host name.
    public var host: String
    /// Milliseconds since 1970.
    public var time: Int64

    public init(action: Action, correlationId: String, reason: String, requestedBy: String, host: String, time: Int64) {
        self.action = action
        self.correlationId = correlationId
        self.reason = reason
        self.requestedBy = requestedBy
        self.host = host
        self.time = time
    }

    /// The record as compact JSON, as written to `agentbus.control`.
    public var jsonBytes: [UInt8] {
        var writer = JSONBytesWriter(capacity: 256)
        writer.field("action", action.rawValue)
        writer.field("correlationId", correlationId)
        writer.field("reason", reason)
        writer.field("requestedBy", requestedBy)
        writer.field("host", host)
        writer.field("time", time)
        return writer.finish()
    }

    /// Reads a record as ``jsonBytes`` writes it (unknown keys are ignored).
    public init(json bytes: some Collection<UInt8>) throws(RuntimeRecordError) {
        let fields = try RuntimeRecordFields(bytes, kind: "control record")
        let actionName = try fields.string("action")
        guard let action = Action(rawValue: actionName) else {
            throw RuntimeRecordError("control record: unknown action \"\(actionName)\"")
        }
        self.init(
            action: action, correlationId: try fields.string("correlationId"),
            reason: try fields.optionalString("reason") ?? "", requestedBy: try fields.optionalString("requestedBy") ?? "",
            host: try fields.optionalString("host") ?? "", time: try fields.integer("time"))
    }
}
