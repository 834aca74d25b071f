/// One difference between two versions of an event type's schema, as
/// ``SchemaCompatibility/compare(old:new:)`` reports it: where in the payload it is, what
/// changed, and whether consumers and producers built against the old schema survive it.
package struct SchemaChange: Sendable, Equatable, CustomStringConvertible {
    package enum Impact: Sendable, Equatable, Hashable {
        /// Something built against the old schema can fail with the new one: the change belongs
        /// in a new major version of the event type (`.v2`), not in this one.
        case breaking
        /// Safe for both sides; reported so a reviewer sees every change.
        case compatible
    }

    package var impact: Impact
    /// The `ce_type` the change is in.
    package var eventType: String
    /// Where in the payload, JSON Pointer style: `/applicant/email`; `*` stands for any array
    /// element (`items`) or any additional member (`additionalProperties`), a number for a
    /// `prefixItems` position; `""` is the payload (or the event type) as a whole.
    package var path: String
    /// What changed, e.g. `newly required` or `enum value "phone" added`.
    package var message: String

    package init(impact: Impact, eventType: String, path: String, message: String) {
        self.impact = impact
        self.eventType = eventType
        self.path = path
        self.message = message
    }

    package var isBreaking: Bool { impact == .breaking }

    /// `BREAKING dev.agentbus.loan.application.received.v1 /applicant/email: newly required`.
    package var description: String {
        let label = impact == .breaking ? "BREAKING" : "compatible"
        return path.isEmpty ? "\(label) \(eventType): \(message)" : "\(label) \(eventType) \(path): \(message)"
    }
}
