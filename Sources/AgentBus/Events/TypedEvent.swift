/// A Swift type for the payload of one event type.
///
/// ```swift
/// struct ApplicationReceived: TypedEvent {
///     static let eventType = "dev.agentbus.loan.application.received.v1"
///     var applicationId: String
///     var amount: Double
/// }
/// ```
///
/// The schema in `schemas/<eventType>.json` stays the source of truth: payloads are validated
/// against it before publishing and after consuming, whatever the Swift type says. Property
/// names are the Swift names (no key conversion), dates are RFC 3339 with milliseconds.
public protocol TypedEvent: Codable, Sendable {
    /// The `ce_type` of events with this payload.
    static var eventType: String { get }
    /// Sample payloads: for documentation, and for the test that every type's samples validate
    /// against its schema.
    static var examples: [Self] { get }
}

extension TypedEvent {
    public static var examples: [Self] { [] }
}
