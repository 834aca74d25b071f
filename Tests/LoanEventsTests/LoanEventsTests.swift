import AgentBus
import Foundation
import JSONSchema
import LoanEvents
import Testing

/// The example system's event catalog: the schemas in `schemas/` and the Swift types in
/// `LoanEvents` describe the same fifteen events (plus AgentBus's supervisor alert, whose schema
/// the catalog carries), and their examples are valid.
/// What the generic checks need: `Equatable` to compare a decoded value with the original.
typealias EquatableEvent = TypedEvent & Equatable

@Suite("Loan events")
struct LoanEventsTests {
    /// `schemas/` at the repository root.
    static let schemasDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas")

    /// Every event type of the workflow, with its topic and key field.
    static let catalog: [String: (topic: String, key: String?)] = [
        "dev.agentbus.loan.application.submitted.v1": ("loan.intake", nil),
        "dev.agentbus.loan.application.received.v1": ("loan.applications", nil),
        "dev.agentbus.loan.documents.extracted.v1": ("loan.documents", nil),
        "dev.agentbus.loan.credit.checked.v1": ("loan.checks", nil),
        "dev.agentbus.loan.fraud.checked.v1": ("loan.checks", "applicantId"),
        "dev.agentbus.loan.assessment.completed.v1": ("loan.assessments", nil),
        "dev.agentbus.loan.assessment.failed.v1": ("loan.assessments", nil),
        "dev.agentbus.loan.assessment.due.v1": ("loan.timeouts", nil),
        "dev.agentbus.loan.risk.scored.v1": ("loan.risk", nil),
        "dev.agentbus.loan.decision.made.v1": ("loan.decisions", nil),
        "dev.agentbus.loan.approval.requested.v1": ("loan.approvals", nil),
        "dev.agentbus.loan.approval.granted.v1": ("loan.approvals", nil),
        "dev.agentbus.loan.approval.rejected.v1": ("loan.approvals", nil),
        "dev.agentbus.loan.approval.expired.v1": ("loan.timeouts", nil),
        "dev.agentbus.loan.notification.sent.v1": ("loan.notifications", "applicantId"),
        "dev.agentbus.loan.decision.explained.v1": ("loan.explanations", "applicantId"),
        "dev.agentbus.supervisor.alert.v1": ("agentbus.alerts", nil),
    ]

    /// The Swift type of every event type in the catalog.
    static let eventTypes: [any TypedEvent.Type] = LoanEvents.all + [SupervisorAlert.self]

    static let definitionsID = "https://agentbus.dev/schemas/defs/loan.json"

    /// The registry, with every load problem recorded as an issue of its own.
    static func loadRegistry() throws -> SchemaRegistry {
        do {
            return try SchemaRegistry.load(directory: schemasDirectory.path)
        } catch {
            for problem in error.problems { Issue.record("schema problem: \(problem)") }
            throw error
        }
    }

    /// The Swift types by event type.
    static var swiftTypes: [String: any TypedEvent.Type] {
        Dictionary(eventTypes.map { ($0.eventType, $0) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: - The catalog

    @Test("the schema directory loads, with exactly the seventeen event types, their topics and keys")
    func catalogLoads() throws {
        let registry = try Self.loadRegistry()
        #expect(registry.eventTypes == Self.catalog.keys.sorted())
        for (type, expected) in Self.catalog.sorted(by: { $0.key < $1.key }) {
            let schema = try #require(registry.eventSchema(for: type), "no schema for \(type)")
            #expect(schema.topic == expected.topic, "\(type)")
            #expect(schema.keyField == expected.key, "\(type)")
            #expect(schema.id == "https://agentbus.dev/schemas/\(type).json")
            #expect(schema.file?.hasSuffix("/\(type).json") == true, "\(type) is in \(schema.file ?? "?")")
            #expect(schema.document["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema", "\(type)")
            #expect(schema.document["additionalProperties"] == .bool(false), "\(type)")
            #expect(schema.document["title"]?.stringValue?.isEmpty == false, "\(type) has no title")
            #expect(schema.document["description"]?.stringValue?.isEmpty == false, "\(type) has no description")
            #expect((1...2).contains(schema.examples.count), "\(type) has \(schema.examples.count) examples")
            // The key is the key field's value; unkeyed types go by correlation ID.
            for example in schema.examples {
                #expect(schema.partitionKey(for: example) == expected.key.flatMap { example[$0]?.stringValue }, "\(type)")
            }
        }
        #expect(registry.topics == [
            "agentbus.alerts", "loan.applications", "loan.approvals", "loan.assessments", "loan.checks", "loan.decisions",
            "loan.documents", "loan.explanations", "loan.intake", "loan.notifications", "loan.risk", "loan.timeouts",
        ])
        // The shared definitions are a schema, not an event type.
        #expect(registry.validator(for: Self.definitionsID + "#/$defs/money") != nil)
    }

    @Test("every Swift type has a schema, and every event schema has a Swift type")
    func swiftTypesMatchSchemas() throws {
        let registry = try Self.loadRegistry()
        let swiftNames = Self.eventTypes.map { $0.eventType }
        #expect(Set(swiftNames).count == swiftNames.count, "a type is listed twice: \(swiftNames)")
        let withoutSchema = Set(swiftNames).subtracting(registry.eventTypes).sorted()
        let withoutSwiftType = Set(registry.eventTypes).subtracting(swiftNames).sorted()
        #expect(withoutSchema.isEmpty, "Swift types without a schema: \(withoutSchema)")
        #expect(withoutSwiftType.isEmpty, "event schemas without a Swift type in eventTypes: \(withoutSwiftType)")
    }

    // MARK: - Examples

    @Test("every schema's examples validate, decode into the Swift type, and encode back the same")
    func schemaExamples() throws {
        let registry = try Self.loadRegistry()
        let types = Self.swiftTypes
        for type in registry.eventTypes {
            let schema = try #require(registry.eventSchema(for: type))
            #expect(!schema.examples.isEmpty, "\(type) has no examples")
            for (offset, example) in schema.examples.enumerated() {
                let violations = schema.validator.validate(example)
                #expect(violations.isEmpty, "\(type) example \(offset): \(violations)")
                guard let swiftType = types[type] else { continue }  // reported by swiftTypesMatchSchemas
                let equatable = try #require(swiftType as? any EquatableEvent.Type, "\(type) is not Equatable")
                try Self.checkSchemaExample(equatable, example, label: "\(type) example \(offset)")
            }
        }
    }

    /// Decodes a schema example as `E`, and checks that encoding it gives the example back, so
    /// the Swift type neither drops nor renames a property.
    static func checkSchemaExample<E: TypedEvent & Equatable>(_: E.Type, _ example: JSONValue, label: String) throws {
        let decoded: E
        do {
            decoded = try E(jsonPayload: Array(example.jsonText.utf8))
        } catch {
            Issue.record("\(label) does not decode as \(E.self): \(error)")
            return
        }
        let reencoded = try JSONValue(parsing: decoded.jsonPayload())
        #expect(reencoded == example, "\(label) encodes back differently:\n\(reencoded.jsonText)\nwas\n\(example.jsonText)")
    }

    @Test("every Swift type's examples encode to valid payloads and decode back equal")
    func swiftExamples() throws {
        let registry = try Self.loadRegistry()
        for type in Self.eventTypes {
            let equatable = try #require(type as? any EquatableEvent.Type, "\(type) is not Equatable")
            let schema = try #require(registry.eventSchema(for: type.eventType), "no schema for \(type.eventType)")
            try Self.checkSwiftExamples(equatable, schema)
        }
    }

    static func checkSwiftExamples<E: TypedEvent & Equatable>(_: E.Type, _ schema: EventSchema) throws {
        #expect(!E.examples.isEmpty, "\(E.self) has no examples")
        for (offset, example) in E.examples.enumerated() {
            let payload = try example.jsonPayload()
            let violations = schema.validator.validate(payload)
            #expect(
                violations.isEmpty,
                "\(E.self).examples[\(offset)] fails \(schema.type):\n\(violations.map(\.description).joined(separator: "\n"))\n\(String(decoding: payload, as: UTF8.self))")
            #expect(schema.validator.isValid(payload) == violations.isEmpty)
            #expect(try E(jsonPayload: payload) == example, "\(E.self).examples[\(offset)] does not decode back equal")
        }
    }

    @Test("the Swift examples are the schema examples")
    func sameExamples() throws {
        let registry = try Self.loadRegistry()
        for type in Self.eventTypes {
            let schema = try #require(registry.eventSchema(for: type.eventType))
            let swift = try type.examples.map { try JSONValue(parsing: $0.jsonPayload()) }
            #expect(swift == schema.examples, "\(type.eventType): the Swift and schema examples differ")
        }
    }

    @Test("money computed in floating point validates once rounded to cents")
    func roundedMoney() throws {
        let registry = try Self.loadRegistry()
        let money = try #require(registry.validator(for: Self.definitionsID + "#/$defs/money"))
        let encoder = JSONEncoder()
        let unrounded = Money(amount: 0.1 + 0.2, currency: "EUR")
        #expect(!money.isValid([UInt8](try encoder.encode(unrounded))))
        for amount in [0.1 + 0.2, 1234.565, 99.994999, 1e9 / 3, 0.005] {
            let rounded = Money.rounded(amount, currency: "EUR")
            let payload = [UInt8](try encoder.encode(rounded))
            #expect(money.validate(payload).isEmpty, "\(amount) → \(String(decoding: payload, as: UTF8.self))")
        }
    }

    // MARK: - Invalid payloads

    /// One broken payload: a schema example with one change, and the one violation it must give.
    struct InvalidCase: CustomStringConvertible, Sendable {
        var type: String
        var what: String
        var change: @Sendable (JSONValue) -> JSONValue
        var instancePath: String
        var keyword: String
        /// Text the message must contain, e.g. the missing property's name.
        var mentioning: String?

        var description: String { "\(type): \(what)" }
    }

    static let invalidCases: [InvalidCase] = [
        .init(type: "application.received", what: "applicantId missing",
              change: { $0.setting(["applicantId"], to: nil) }, instancePath: "", keyword: "required", mentioning: "applicantId"),
        .init(type: "application.received", what: "termMonths below 6",
              change: { $0.setting(["termMonths"], to: .number(JSONNumber(3))) }, instancePath: "/termMonths", keyword: "minimum"),
        .init(type: "application.received", what: "termMonths not whole",
              change: { $0.setting(["termMonths"], to: .number(JSONNumber(12.5))) }, instancePath: "/termMonths", keyword: "type"),
        .init(type: "application.received", what: "a property the schema does not list",
              change: { $0.setting(["promoCode"], to: .string("SPRING")) }, instancePath: "", keyword: "additionalProperties",
              mentioning: "promoCode"),
        .init(type: "application.received", what: "purpose not in the enum",
              change: { $0.setting(["purpose"], to: .string("yacht")) }, instancePath: "/purpose", keyword: "enum"),
        .init(type: "application.received", what: "amount with fractions of a cent",
              change: { $0.setting(["requested", "amount"], to: .number(JSONNumber(100.005))) },
              instancePath: "/requested/amount", keyword: "multipleOf"),
        .init(type: "application.received", what: "negative amount",
              change: { $0.setting(["requested", "amount"], to: .number(JSONNumber(-5))) },
              instancePath: "/requested/amount", keyword: "minimum"),
        .init(type: "application.received", what: "money with an extra property",
              change: { $0.setting(["requested", "cents"], to: .number(JSONNumber(0))) },
              instancePath: "/requested", keyword: "additionalProperties", mentioning: "cents"),
        .init(type: "application.received", what: "applicant without email",
              change: { $0.setting(["applicant", "email"], to: nil) }, instancePath: "/applicant", keyword: "required",
              mentioning: "email"),
        .init(type: "application.received", what: "no required checks",
              change: { $0.setting(["requiredChecks"], to: .array([])) }, instancePath: "/requiredChecks", keyword: "minItems"),
        .init(type: "application.received", what: "a required check listed twice",
              change: { $0.setting(["requiredChecks"], to: .array([.string("credit"), .string("fraud"), .string("credit")])) },
              instancePath: "/requiredChecks", keyword: "uniqueItems"),
        .init(type: "application.received", what: "a required check that does not exist",
              change: { $0.setting(["requiredChecks"], to: .array([.string("credit"), .string("horoscope")])) },
              instancePath: "/requiredChecks/1", keyword: "enum"),
        .init(type: "application.received", what: "documents required, none submitted",
              change: { $0.setting(["documents"], to: nil) }, instancePath: "", keyword: "required", mentioning: "documents"),
        .init(type: "application.submitted", what: "amount as a string",
              change: { $0.setting(["amount"], to: .string("250000")) }, instancePath: "/amount", keyword: "type"),
        .init(type: "assessment.completed", what: "complete, yet a check missing",
              change: { $0.setting(["missing"], to: .array([.string("fraud")])) }, instancePath: "/missing", keyword: "maxItems"),
        .init(type: "assessment.completed", what: "partial, with nothing missing",
              change: { $0.setting(["partial"], to: .bool(true)) }, instancePath: "/missing", keyword: "minItems"),
        .init(type: "assessment.completed", what: "a credit result without a score",
              change: { $0.setting(["credit", "score"], to: nil) }, instancePath: "/credit", keyword: "required", mentioning: "score"),
        .init(type: "assessment.completed", what: "a fraud result with an unknown risk level",
              change: { $0.setting(["fraud", "riskLevel"], to: .string("extreme")) }, instancePath: "/fraud/riskLevel",
              keyword: "enum"),
        .init(type: "documents.extracted", what: "no documents",
              change: { $0.setting(["documents"], to: .array([])) }, instancePath: "/documents", keyword: "minItems"),
        .init(type: "credit.checked", what: "score above 850",
              change: { $0.setting(["score"], to: .number(JSONNumber(900))) }, instancePath: "/score", keyword: "maximum"),
        .init(type: "fraud.checked", what: "the same signal twice",
              change: { $0.setting(["signals"], to: .array([.string("address-mismatch"), .string("address-mismatch")])) },
              instancePath: "/signals", keyword: "uniqueItems"),
        .init(type: "decision.made", what: "approved without approvedAmount",
              change: { $0.setting(["approvedAmount"], to: nil) }, instancePath: "", keyword: "required",
              mentioning: "approvedAmount"),
        .init(type: "decision.made", what: "an interest rate of 0",
              change: { $0.setting(["interestRatePercent"], to: .number(JSONNumber(0))) },
              instancePath: "/interestRatePercent", keyword: "exclusiveMinimum"),
        .init(type: "decision.made", what: "declined with an approvedAmount",
              change: { $0.setting(["decision"], to: .string("declined")).setting(["interestRatePercent"], to: nil) },
              instancePath: "/approvedAmount", keyword: "false"),
        .init(type: "approval.granted", what: "approver without a role",
              change: { $0.setting(["approver", "role"], to: nil) }, instancePath: "/approver", keyword: "required",
              mentioning: "role"),

        // `pattern` (ECMA-262: `$` does not match before a final newline) and `format`.
        .init(type: "application.received", what: "currency not an ISO code",
              change: { $0.setting(["requested", "currency"], to: .string("euro")) },
              instancePath: "/requested/currency", keyword: "pattern"),
        .init(type: "application.received", what: "malformed applicationId",
              change: { $0.setting(["applicationId"], to: .string("APP-42")) },
              instancePath: "/applicationId", keyword: "pattern"),
        .init(type: "application.received", what: "applicationId with a trailing newline",
              change: { $0.setting(["applicationId"], to: .string("APP-004217\n")) },
              instancePath: "/applicationId", keyword: "pattern"),
        .init(type: "application.received", what: "email without a domain",
              change: { $0.setting(["applicant", "email"], to: .string("amara.okafor")) },
              instancePath: "/applicant/email", keyword: "format"),
        .init(type: "application.received", what: "dateOfBirth not a date",
              change: { $0.setting(["applicant", "dateOfBirth"], to: .string("1988-02-30")) },
              instancePath: "/applicant/dateOfBirth", keyword: "format"),
        .init(type: "application.received", what: "submittedAt without a time zone",
              change: { $0.setting(["submittedAt"], to: .string("2026-11-21T09:15:30")) },
              instancePath: "/submittedAt", keyword: "format"),
        .init(type: "documents.extracted", what: "documentId not a UUID",
              change: { $0.setting(["documents", "0", "documentId"], to: .string("doc-17")) },
              instancePath: "/documents/0/documentId", keyword: "format"),
        .init(type: "notification.sent", what: "applicantId of the wrong shape",
              change: { $0.setting(["applicantId"], to: .string("118042")) },
              instancePath: "/applicantId", keyword: "pattern"),
    ]

    @Test("broken payloads give the expected violation", arguments: invalidCases)
    func invalidPayload(_ invalid: InvalidCase) throws {
        let registry = try Self.loadRegistry()
        let type = "dev.agentbus.loan.\(invalid.type).v1"
        let schema = try #require(registry.eventSchema(for: type))
        let example = try #require(schema.examples.first)
        let payload = invalid.change(example)
        #expect(payload != example, "the change did nothing")
        let violations = schema.validator.validate(payload)
        #expect(
            violations.map { "\($0.instancePath) \($0.keyword)" } == ["\(invalid.instancePath) \(invalid.keyword)"],
            "\(invalid): got \(violations)")
        if let mentioning = invalid.mentioning {
            #expect(violations.first?.message.contains(mentioning) == true, "\(invalid): got \(violations)")
        }
        #expect(!schema.validator.isValid(Array(payload.jsonText.utf8)), "\(invalid): isValid accepts it")
    }
}

extension JSONValue {
    /// This value with the member at `path` replaced (nil: removed). Array elements are named
    /// by their index.
    fileprivate func setting(_ path: [String], to newValue: JSONValue?) -> JSONValue {
        guard let first = path.first else { return newValue ?? self }
        let rest = Array(path.dropFirst())
        switch self {
        case .object(var object):
            if rest.isEmpty {
                object[first] = newValue
            } else if let child = object[first] {
                object[first] = child.setting(rest, to: newValue)
            }
            return .object(object)
        case .array(var elements):
            guard let index = Int(first), elements.indices.contains(index) else { return self }
            if rest.isEmpty {
                if let newValue { elements[index] = newValue } else { elements.remove(at: index) }
            } else {
                elements[index] = elements[index].setting(rest, to: newValue)
            }
            return .array(elements)
        default:
            return self
        }
    }
}
