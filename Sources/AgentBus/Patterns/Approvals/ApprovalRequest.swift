import Foundation
import JSONSchema

/// An event asking a person to decide: its ID (`ce_id`) is the request ID that decisions name.
///
/// Read from the payload by convention: `amount` (a number, or an object with a numeric `amount`
/// and a `currency`), optionally `approverRole` (the role the publisher asks for), `deadline`
/// and `requestedAt` (RFC 3339); any other members are the publisher's own.
public struct ApprovalRequest: Sendable, Equatable {
    public let envelope: EventEnvelope
    public let payload: JSONObject
    /// The amount to decide.
    public let amount: Decimal
    public let currency: String?
    /// The role the publisher asked for, if it named one.
    public let requestedRole: String?
    /// When the request escalates if undecided.
    public let deadline: EventTime?
    /// When it was requested: `requestedAt`, else the event's time.
    public let requestedAt: EventTime?

    public var id: String { envelope.id }
    public var correlationID: String { envelope.correlationID }

    public init(envelope: EventEnvelope) throws(ApprovalPayloadError) {
        func fail(_ problem: String) -> ApprovalPayloadError { ApprovalPayloadError(eventID: envelope.id, problem: problem) }
        guard let payload = (try? JSONValue(parsing: envelope.data))?.objectValue else {
            throw fail("the payload is not a JSON object")
        }
        var number = payload["amount"]?.numberValue
        var currency: String?
        if let money = payload["amount"]?.objectValue {
            number = money["amount"]?.numberValue
            currency = money["currency"]?.stringValue
        }
        guard let number, let amount = Decimal(string: number.text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw fail("no amount (a number, or {\"amount\": number, \"currency\": ...})")
        }
        func time(_ key: String) throws(ApprovalPayloadError) -> EventTime? {
            guard let value = payload[key] else { return nil }
            guard let text = value.stringValue, let time = EventTime(rfc3339: text) else {
                throw fail("\(key) is not an RFC 3339 date-time")
            }
            return time
        }
        self.envelope = envelope
        self.payload = payload
        self.amount = amount
        self.currency = currency
        self.requestedRole = payload["approverRole"]?.stringValue
        self.deadline = try time("deadline")
        self.requestedAt = try time("requestedAt") ?? envelope.time
    }

    /// The amount as people read it: `250000 EUR`.
    public var amountText: String { currency.map { "\(amount) \($0)" } ?? "\(amount)" }

    /// Whether the deadline has passed at `now`.
    public func isOverdue(at now: EventTime) -> Bool { deadline.map { $0 < now } ?? false }
}
