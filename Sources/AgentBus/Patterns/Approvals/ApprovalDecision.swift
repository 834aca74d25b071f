import JSONSchema

/// An answer to an ``ApprovalRequest``: granted or rejected, by whom, when and from where.
///
/// Read from the payload by convention: `requestId` (the request's `ce_id`; the event's causation
/// ID when absent), `approver` (`id` and `name`), `decidedAt` (RFC 3339; else the event's time)
/// and `origin` (`host`, `user`).
public struct ApprovalDecision: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case granted, rejected
    }

    /// The decision event's `ce_id`.
    public let id: String
    public let requestID: String
    public let outcome: Outcome
    /// The approver's name as recorded.
    public let approverName: String
    public let approverID: String?
    public let decidedAt: EventTime?
    public let origin: ApprovalOrigin?

    public init(
        id: String, requestID: String, outcome: Outcome, approverName: String, approverID: String? = nil,
        decidedAt: EventTime? = nil, origin: ApprovalOrigin? = nil
    ) {
        self.id = id
        self.requestID = requestID
        self.outcome = outcome
        self.approverName = approverName
        self.approverID = approverID
        self.decidedAt = decidedAt
        self.origin = origin
    }

    public init(envelope: EventEnvelope, outcome: Outcome) throws(ApprovalPayloadError) {
        func fail(_ problem: String) -> ApprovalPayloadError { ApprovalPayloadError(eventID: envelope.id, problem: problem) }
        guard let payload = (try? JSONValue(parsing: envelope.data))?.objectValue else {
            throw fail("the payload is not a JSON object")
        }
        guard let requestID = payload["requestId"]?.stringValue ?? envelope.causationID else {
            throw fail("no requestId, and no causation ID, to say which request it decides")
        }
        let approver = payload["approver"]?.objectValue
        var origin: ApprovalOrigin?
        if let object = payload["origin"]?.objectValue, let host = object["host"]?.stringValue, let user = object["user"]?.stringValue {
            origin = ApprovalOrigin(host: host, user: user)
        }
        self.init(
            id: envelope.id, requestID: requestID, outcome: outcome,
            approverName: approver?["name"]?.stringValue ?? "someone unnamed", approverID: approver?["id"]?.stringValue,
            decidedAt: payload["decidedAt"]?.stringValue.flatMap(EventTime.init(rfc3339:)) ?? envelope.time, origin: origin)
    }

    /// Who decided, when and where, for messages: `granted by Priya Raman (EMP-30417) at
    /// 2026-11-21T14:02:51.000Z from console-1 (priya)`.
    public var summary: String {
        var text = "\(outcome.rawValue) by \(approverName.oneLine)"
        if let approverID { text += " (\(approverID.oneLine))" }
        if let decidedAt { text += " at \(decidedAt)" }
        if let origin { text += " from \(origin.host.oneLine) (\(origin.user.oneLine))" }
        return text
    }
}
