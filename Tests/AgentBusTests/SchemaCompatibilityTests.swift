import AgentBus
import Foundation
import JSONSchema
import Testing

@Suite("Schema compatibility (agentbus schemas check)")
struct SchemaCompatibilityTests {
    static let type = "dev.example.thing.happened.v1"

    /// An event schema document for `type`: `members` are more members of its root object.
    static func event(_ members: String, type: String = type, topic: String = "things") -> String {
        """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://agentbus.dev/schemas/\(type).json",
          "x-agentbus-topic": "\(topic)"\(members.isEmpty ? "" : ",\n  " + members)
        }
        """
    }

    static let common = """
        {
          "$id": "https://agentbus.dev/schemas/defs/common.json",
          "$defs": {
            "money": {
              "type": "object",
              "properties": {
                "amount": { "type": "number", "minimum": 0 },
                "currency": { "$ref": "#/$defs/currency" }
              },
              "required": ["amount", "currency"]
            },
            "currency": { "type": "string", "pattern": "^[A-Z]{3}$" }
          }
        }
        """

    static func registry(_ documents: [String]) throws -> SchemaRegistry {
        try SchemaRegistry(documents: documents.enumerated().map { offset, text in
            let value = try JSONValue(parsing: text)
            let uri = value["$id"]?.stringValue ?? "https://agentbus.dev/schemas/document\(offset).json"
            return SchemaDocument(value: value, uri: uri)
        })
    }

    /// The changes from one version of `type`'s schema to another, given as root members.
    static func changes(_ old: String, _ new: String) throws -> [SchemaChange] {
        try SchemaCompatibility.compare(old: registry([event(old)]), new: registry([event(new)]))
    }

    /// Expects exactly one change, and returns it.
    static func only(_ old: String, _ new: String) throws -> SchemaChange? {
        let found = try changes(old, new)
        #expect(found.count == 1, "\(found)")
        return found.count == 1 ? found[0] : nil
    }

    static func expect(
        _ change: SchemaChange?, _ impact: SchemaChange.Impact, _ path: String, _ message: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(change?.impact == impact, "\(String(describing: change))", sourceLocation: sourceLocation)
        #expect(change?.eventType == type, sourceLocation: sourceLocation)
        #expect(change?.path == path, "\(String(describing: change))", sourceLocation: sourceLocation)
        #expect(change?.message.contains(message) == true, "\(String(describing: change))", sourceLocation: sourceLocation)
    }

    // MARK: - Event types

    @Test("identical schemas: no changes")
    func noChange() throws {
        let schema = """
            "type": "object",
            "properties": {
              "id": { "type": "string", "pattern": "^T-[0-9]+$" },
              "count": { "type": "integer", "minimum": 0, "maximum": 10 },
              "tags": { "type": "array", "items": { "enum": ["a", "b"] }, "maxItems": 3 }
            },
            "required": ["id"],
            "additionalProperties": false
            """
        #expect(try Self.changes(schema, schema).isEmpty)
    }

    @Test("event type removed is breaking; added is compatible")
    func eventTypeRemovedAndAdded() throws {
        let old = try Self.registry([Self.event(#""type": "object""#)])
        let new = try Self.registry([Self.event(#""type": "object""#, type: "dev.example.thing.happened.v2")])
        let found = SchemaCompatibility.compare(old: old, new: new)
        #expect(found == [
            SchemaChange(impact: .breaking, eventType: Self.type, path: "", message: "event type removed"),
            SchemaChange(impact: .compatible, eventType: "dev.example.thing.happened.v2", path: "", message: "event type added"),
        ])
        #expect(found[0].description == "BREAKING dev.example.thing.happened.v1: event type removed")
    }

    @Test("topic changed is breaking")
    func topicChanged() throws {
        let old = try Self.registry([Self.event("")])
        let new = try Self.registry([Self.event("", topic: "other-things")])
        let found = SchemaCompatibility.compare(old: old, new: new)
        #expect(found.count == 1)
        Self.expect(found.first, .breaking, "", #"topic changed: "things" → "other-things""#)
    }

    @Test("key field changed is breaking")
    func keyFieldChanged() throws {
        let properties = #""properties": { "a": { "type": "string" }, "b": { "type": "string" } }, "required": ["a", "b"]"#
        Self.expect(
            try Self.only(#""x-agentbus-key": "a", "# + properties, #""x-agentbus-key": "b", "# + properties),
            .breaking, "", #"key field changed: "a" → "b""#)
        Self.expect(
            try Self.only(properties, #""x-agentbus-key": "a", "# + properties),
            .breaking, "", "key field changed")
    }

    // MARK: - Properties and required

    @Test("property removed is breaking")
    func propertyRemoved() throws {
        Self.expect(
            try Self.only(#""properties": { "a": {}, "b": {} }"#, #""properties": { "a": {} }"#),
            .breaking, "/b", "property removed")
    }

    @Test("optional property added is compatible")
    func optionalPropertyAdded() throws {
        Self.expect(
            try Self.only(#""properties": { "a": {} }"#, #""properties": { "a": {}, "b": { "type": "string" } }"#),
            .compatible, "/b", "optional property added")
    }

    @Test("newly required is breaking, nested paths included")
    func newlyRequired() throws {
        let change = try Self.only(
            #""properties": { "applicant": { "type": "object", "properties": { "email": { "type": "string" } } } }"#,
            #""properties": { "applicant": { "type": "object", "properties": { "email": { "type": "string" } }, "required": ["email"] } }"#)
        Self.expect(change, .breaking, "/applicant/email", "newly required")
        #expect(change?.description == "BREAKING dev.example.thing.happened.v1 /applicant/email: newly required")
    }

    @Test("a property added as required is reported once, as newly required")
    func addedAsRequired() throws {
        Self.expect(
            try Self.only(#""properties": { "a": {} }"#, #""properties": { "a": {}, "b": {} }, "required": ["b"]"#),
            .breaking, "/b", "newly required")
    }

    @Test("newly required with a default is compatible")
    func newlyRequiredWithDefault() throws {
        Self.expect(
            try Self.only(
                #""properties": { "a": { "type": "string" } }"#,
                #""properties": { "a": { "type": "string", "default": "x" } }, "required": ["a"]"#),
            .compatible, "/a", "newly required, with a default")
    }

    @Test("no longer required is compatible")
    func noLongerRequired() throws {
        Self.expect(
            try Self.only(#""properties": { "a": {} }, "required": ["a"]"#, #""properties": { "a": {} }"#),
            .compatible, "/a", "no longer required")
    }

    // MARK: - Types

    @Test("number to integer narrows (breaking); integer to number widens (compatible)")
    func numberAndInteger() throws {
        Self.expect(
            try Self.only(#""properties": { "n": { "type": "number" } }"#, #""properties": { "n": { "type": "integer" } }"#),
            .breaking, "/n", "type narrowed: number → integer")
        Self.expect(
            try Self.only(#""properties": { "n": { "type": "integer" } }"#, #""properties": { "n": { "type": "number" } }"#),
            .compatible, "/n", "type widened: integer → number")
    }

    @Test("absent type means every type: adding one narrows")
    func typeAdded() throws {
        Self.expect(
            try Self.only(#""properties": { "a": {} }"#, #""properties": { "a": { "type": "string" } }"#),
            .breaking, "/a", "type narrowed: any → string")
        Self.expect(
            try Self.only(#""properties": { "a": { "type": ["string", "null"] } }"#, #""properties": { "a": { "type": "string" } }"#),
            .breaking, "/a", "type narrowed: string, null → string")
    }

    // MARK: - enum and const

    @Test("enum value removed is breaking")
    func enumValueRemoved() throws {
        Self.expect(
            try Self.only(#""properties": { "c": { "enum": ["web", "phone"] } }"#, #""properties": { "c": { "enum": ["web"] } }"#),
            .breaking, "/c", #"enum value "phone" removed"#)
    }

    @Test("enum value added is compatible")
    func enumValueAdded() throws {
        let change = try Self.only(
            #""properties": { "channel": { "enum": ["web"] } }"#, #""properties": { "channel": { "enum": ["web", "phone"] } }"#)
        Self.expect(change, .compatible, "/channel", #"enum value "phone" added"#)
        #expect(change?.description == #"compatible dev.example.thing.happened.v1 /channel: enum value "phone" added"#)
    }

    @Test("enum or const added where there was none is breaking")
    func enumAdded() throws {
        Self.expect(
            try Self.only(#""properties": { "c": { "type": "string" } }"#, #""properties": { "c": { "type": "string", "enum": ["a"] } }"#),
            .breaking, "/c", "enum added")
        Self.expect(
            try Self.only(#""properties": { "c": { "type": "string" } }"#, #""properties": { "c": { "type": "string", "const": "a" } }"#),
            .breaking, "/c", #"const added: "a""#)
    }

    @Test("const changed is breaking")
    func constChanged() throws {
        Self.expect(
            try Self.only(#""properties": { "v": { "const": 1 } }"#, #""properties": { "v": { "const": 2 } }"#),
            .breaking, "/v", "const changed: 1 → 2")
    }

    // MARK: - additionalProperties

    @Test("additionalProperties becoming false is breaking; the reverse compatible")
    func additionalPropertiesFalse() throws {
        Self.expect(
            try Self.only(#""type": "object""#, #""type": "object", "additionalProperties": false"#),
            .breaking, "", "additionalProperties is now false")
        Self.expect(
            try Self.only(#""additionalProperties": { "type": "string" }"#, #""additionalProperties": false"#),
            .breaking, "", "additionalProperties is now false")
        Self.expect(
            try Self.only(#""additionalProperties": false"#, #""additionalProperties": true"#),
            .compatible, "", "additionalProperties is no longer false")
    }

    @Test("additionalProperties schemas are compared, at /*")
    func additionalPropertiesSchemas() throws {
        Self.expect(
            try Self.only(
                #""properties": { "labels": { "additionalProperties": { "type": "string" } } }"#,
                #""properties": { "labels": { "additionalProperties": { "type": "string", "maxLength": 20 } } }"#),
            .breaking, "/labels/*", "maxLength added: 20")
    }

    // MARK: - Bounds

    @Test("minimum raised or added, maximum lowered or added: breaking")
    func numericBoundsTightened() throws {
        Self.expect(
            try Self.only(#""properties": { "n": { "minimum": 0 } }"#, #""properties": { "n": { "minimum": 5 } }"#),
            .breaking, "/n", "minimum raised: 0 → 5")
        Self.expect(
            try Self.only(#""properties": { "n": {} }"#, #""properties": { "n": { "exclusiveMinimum": 0 } }"#),
            .breaking, "/n", "exclusiveMinimum added: 0")
        Self.expect(
            try Self.only(#""properties": { "n": { "minimum": 0 } }"#, #""properties": { "n": { "exclusiveMinimum": 0 } }"#),
            .breaking, "/n", "lower bound raised: minimum 0 → exclusiveMinimum 0")
        Self.expect(
            try Self.only(#""properties": { "n": { "maximum": 100 } }"#, #""properties": { "n": { "maximum": 10 } }"#),
            .breaking, "/n", "maximum lowered: 100 → 10")
        Self.expect(
            try Self.only(#""properties": { "n": {} }"#, #""properties": { "n": { "maximum": 10 } }"#),
            .breaking, "/n", "maximum added: 10")
        Self.expect(
            try Self.only(#""properties": { "n": { "exclusiveMaximum": 10 } }"#, #""properties": { "n": { "exclusiveMaximum": 9.5 } }"#),
            .breaking, "/n", "exclusiveMaximum lowered: 10 → 9.5")
    }

    @Test("length, item and property counts tightened: breaking")
    func countBoundsTightened() throws {
        let cases: [(String, String, String)] = [
            (#""minLength": 1"#, #""minLength": 3"#, "minLength raised: 1 → 3"),
            ("", #""minItems": 1"#, "minItems added: 1"),
            (#""minProperties": 1"#, #""minProperties": 2"#, "minProperties raised: 1 → 2"),
            (#""maxLength": 10"#, #""maxLength": 5"#, "maxLength lowered: 10 → 5"),
            ("", #""maxItems": 3"#, "maxItems added: 3"),
            (#""maxProperties": 4"#, #""maxProperties": 2"#, "maxProperties lowered: 4 → 2"),
        ]
        for (old, new, message) in cases {
            Self.expect(
                try Self.only(#""properties": { "x": { \#(old) } }"#, #""properties": { "x": { \#(new) } }"#),
                .breaking, "/x", message)
        }
    }

    @Test("bounds relaxed or removed: compatible")
    func boundsRelaxed() throws {
        let cases: [(String, String, String)] = [
            (#""minimum": 5"#, #""minimum": 0"#, "minimum lowered: 5 → 0"),
            (#""exclusiveMinimum": 0"#, "", "exclusiveMinimum removed"),
            (#""maximum": 10"#, #""maximum": 100"#, "maximum raised: 10 → 100"),
            (#""minLength": 3"#, #""minLength": 1"#, "minLength lowered: 3 → 1"),
            (#""maxItems": 3"#, "", "maxItems removed"),
            (#""maxProperties": 2"#, #""maxProperties": 4"#, "maxProperties raised: 2 → 4"),
            (#""multipleOf": 0.5"#, "", "multipleOf removed"),
        ]
        for (old, new, message) in cases {
            Self.expect(
                try Self.only(#""properties": { "x": { \#(old) } }"#, #""properties": { "x": { \#(new) } }"#),
                .compatible, "/x", message)
        }
    }

    @Test("multipleOf added or changed to a non-divisor is breaking; to a divisor compatible")
    func multipleOf() throws {
        Self.expect(
            try Self.only(#""properties": { "x": {} }"#, #""properties": { "x": { "multipleOf": 0.01 } }"#),
            .breaking, "/x", "multipleOf added: 0.01")
        Self.expect(
            try Self.only(#""properties": { "x": { "multipleOf": 0.01 } }"#, #""properties": { "x": { "multipleOf": 0.05 } }"#),
            .breaking, "/x", "multipleOf changed: 0.01 → 0.05")
        Self.expect(
            try Self.only(#""properties": { "x": { "multipleOf": 0.05 } }"#, #""properties": { "x": { "multipleOf": 0.01 } }"#),
            .compatible, "/x", "multipleOf relaxed: 0.05 → 0.01")
    }

    // MARK: - pattern and format

    @Test("pattern or format added or changed is breaking; removed compatible")
    func patternAndFormat() throws {
        Self.expect(
            try Self.only(#""properties": { "s": {} }"#, #""properties": { "s": { "pattern": "^a" } }"#),
            .breaking, "/s", #"pattern added: "^a""#)
        Self.expect(
            try Self.only(#""properties": { "s": { "pattern": "^a" } }"#, #""properties": { "s": { "pattern": "^b" } }"#),
            .breaking, "/s", #"pattern changed: "^a" → "^b""#)
        Self.expect(
            try Self.only(#""properties": { "s": {} }"#, #""properties": { "s": { "format": "email" } }"#),
            .breaking, "/s", #"format added: "email""#)
        Self.expect(
            try Self.only(#""properties": { "s": { "format": "date" } }"#, #""properties": { "s": { "format": "date-time" } }"#),
            .breaking, "/s", "format changed")
        Self.expect(
            try Self.only(#""properties": { "s": { "pattern": "^a" } }"#, #""properties": { "s": {} }"#),
            .compatible, "/s", "pattern removed")
        Self.expect(
            try Self.only(#""properties": { "s": { "format": "email" } }"#, #""properties": { "s": {} }"#),
            .compatible, "/s", "format removed")
    }

    // MARK: - Arrays and combinators

    @Test("items and prefixItems are compared, at /* and by position")
    func arrays() throws {
        Self.expect(
            try Self.only(
                #""properties": { "tags": { "items": { "enum": ["a", "b"] } } }"#,
                #""properties": { "tags": { "items": { "enum": ["a"] } } }"#),
            .breaking, "/tags/*", #"enum value "b" removed"#)
        Self.expect(
            try Self.only(
                #""properties": { "point": { "prefixItems": [{ "type": "number" }, { "type": "number" }] } }"#,
                #""properties": { "point": { "prefixItems": [{ "type": "number" }, { "type": "integer" }] } }"#),
            .breaking, "/point/1", "type narrowed")
    }

    @Test("allOf is compared by position")
    func allOf() throws {
        Self.expect(
            try Self.only(
                #""properties": { "a": { "allOf": [{ "type": "string" }, { "maxLength": 10 }] } }"#,
                #""properties": { "a": { "allOf": [{ "type": "string" }, { "maxLength": 5 }] } }"#),
            .breaking, "/a", "maxLength lowered: 10 → 5")
    }

    @Test("anyOf and oneOf that differ as JSON are reported as changed, breaking")
    func anyOfChanged() throws {
        Self.expect(
            try Self.only(
                #""properties": { "a": { "anyOf": [{ "type": "string" }, { "type": "null" }] } }"#,
                #""properties": { "a": { "anyOf": [{ "type": "string" }, { "type": "integer" }] } }"#),
            .breaking, "/a", "anyOf changed")
        Self.expect(
            try Self.only(
                #""properties": { "a": { "oneOf": [{ "type": "string" }] } }"#,
                #""properties": { "a": { "oneOf": [{ "type": "integer" }] } }"#),
            .breaking, "/a", "oneOf changed")
        #expect(try Self.changes(
            #""properties": { "a": { "anyOf": [{ "type": "string" }] } }"#,
            #""properties": { "a": { "anyOf": [{ "type": "string" }] } }"#).isEmpty)
    }

    // MARK: - References

    @Test("a change inside a shared definition is reported through the referencing property")
    func referenceIntoSharedDefinitions() throws {
        let event = Self.event("""
            "type": "object",
            "properties": {
              "price": { "$ref": "defs/common.json#/$defs/money" },
              "fee": { "$ref": "defs/common.json#/$defs/money" }
            },
            "required": ["price"]
            """)
        let newCommon = Self.common
            .replacingOccurrences(of: #""minimum": 0"#, with: #""minimum": 1"#)
            .replacingOccurrences(of: "^[A-Z]{3}$", with: "^[A-Z]{3,4}$")
        let found = SchemaCompatibility.compare(
            old: try Self.registry([event, Self.common]), new: try Self.registry([event, newCommon]))
        #expect(found.map(\.path) == ["/fee/amount", "/fee/currency", "/price/amount", "/price/currency"], "\(found)")
        #expect(found.allSatisfy { $0.impact == .breaking && $0.eventType == Self.type })
        Self.expect(found.first { $0.path == "/price/amount" }, .breaking, "/price/amount", "minimum raised: 0 → 1")
        Self.expect(found.first { $0.path == "/price/currency" }, .breaking, "/price/currency", "pattern changed")
        #expect(SchemaCompatibility.compare(
            old: try Self.registry([event, Self.common]), new: try Self.registry([event, Self.common])).isEmpty)
    }

    @Test("a reference inlined on one side compares by content")
    func referenceInlined() throws {
        let old = Self.event(#""properties": { "price": { "$ref": "defs/common.json#/$defs/money" } }"#)
        let new = Self.event(#"""
            "properties": { "price": {
              "type": "object",
              "properties": { "amount": { "type": "number", "minimum": 0 }, "currency": { "type": "string", "pattern": "^[A-Z]{3}$" } },
              "required": ["amount", "currency"]
            } }
            """#)
        #expect(SchemaCompatibility.compare(
            old: try Self.registry([old, Self.common]), new: try Self.registry([new, Self.common])).isEmpty)
    }

    @Test("a self-referencing schema terminates")
    func selfReference() throws {
        let tree = """
            "type": "object",
            "properties": {
              "name": { "type": "string" MAX },
              "children": { "type": "array", "items": { "$ref": "#" } }
            }
            """
        let unchanged = tree.replacingOccurrences(of: " MAX", with: "")
        #expect(try Self.changes(unchanged, unchanged).isEmpty)
        let found = try Self.changes(unchanged, tree.replacingOccurrences(of: " MAX", with: #", "maxLength": 50"#))
        #expect(found.count == 1, "\(found)")
        Self.expect(found.first, .breaking, "/name", "maxLength added: 50")
    }

    @Test("the repository's schemas: unchanged is clean; a shared enum value removed shows at its users")
    func repositorySchemas() throws {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schemas").path
        let documents = try SchemaSet.readDocuments(directory: directory)
        let registry = try SchemaRegistry(documents: documents)
        #expect(SchemaCompatibility.compare(old: registry, new: registry).isEmpty)

        // defs/loan.json's decision without "referred".
        let edited = documents.map { document -> SchemaDocument in
            guard document.value["$id"]?.stringValue == "https://agentbus.dev/schemas/defs/loan.json",
                case .object(var root) = document.value, case .object(var defs)? = root["$defs"],
                case .object(var decision)? = defs["decision"], let values = decision["enum"]?.arrayValue
            else { return document }
            decision["enum"] = .array(values.filter { $0 != .string("referred") })
            defs["decision"] = .object(decision)
            root["$defs"] = .object(defs)
            return SchemaDocument(value: .object(root), uri: document.uri, file: document.file)
        }
        let found = SchemaCompatibility.compare(old: registry, new: try SchemaRegistry(documents: edited))
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.impact == .breaking && $0.message == #"enum value "referred" removed"# }, "\(found)")
        #expect(found.contains { $0.eventType == "dev.agentbus.loan.decision.made.v1" && $0.path == "/decision" }, "\(found)")
    }

    @Test("results are ordered by event type, then path, breaking first")
    func ordering() throws {
        let found = try Self.changes(
            #""properties": { "b": { "enum": ["x", "y"] }, "a": {} }"#,
            #""properties": { "b": { "enum": ["x", "z"] }, "c": {} }"#)
        #expect(found.map(\.path) == ["/a", "/b", "/b", "/c"])
        #expect(found.map(\.impact) == [.breaking, .breaking, .compatible, .compatible])
        #expect(found[1].message == #"enum value "y" removed"#)
        #expect(found[2].message == #"enum value "z" added"#)
    }

    @Test("a bound tightened behind a $ref with a sibling bound is seen: the tightest bound counts")
    func boundBehindReference() throws {
        let old = ##""properties": {"name": {"$ref": "#/$defs/name", "maxLength": 50}}, "$defs": {"name": {"type": "string", "maxLength": 10}}"##
        let new = ##""properties": {"name": {"$ref": "#/$defs/name", "maxLength": 50}}, "$defs": {"name": {"type": "string", "maxLength": 5}}"##
        Self.expect(try Self.only(old, new), .breaking, "/name", "maxLength")
        // Raising the looser of the two changes nothing that applies.
        let looser = ##""properties": {"name": {"$ref": "#/$defs/name", "maxLength": 60}}, "$defs": {"name": {"type": "string", "maxLength": 10}}"##
        #expect(try Self.changes(old, looser).isEmpty)
    }
}
