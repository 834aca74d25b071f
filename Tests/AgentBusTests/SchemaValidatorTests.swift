import AgentBus
import Foundation
import Testing

@Suite("Schema validation errors and the schema directory")
struct SchemaValidatorTests {
    func registry(_ schema: String) throws -> SchemaRegistry {
        try SchemaRegistry(documents: [SchemaDocument(value: try JSONValue(parsing: schema), uri: "https://example.test/s.json")])
    }

    @Test("every violation names the payload path (JSON Pointer, escaped) and the keyword")
    func violations() throws {
        let validator = try #require(try registry("""
            {"type": "object", "required": ["id"], "additionalProperties": false,
             "properties": {"id": {"type": "string"}, "a/b": {"type": "array", "items": {"minimum": 0}},
                            "tags": {"type": "array", "uniqueItems": true}}}
            """).validator(for: "https://example.test/s.json"))
        let violations = validator.validate(Array(#"{"a/b": [1, -2, 3, -4], "tags": ["x", "x"], "extra": 1}"#.utf8))
        #expect(violations.map(\.description) == [
            "/a~1b/1: -2 is less than the minimum 0 (minimum)",
            "/a~1b/3: -4 is less than the minimum 0 (minimum)",
            "/tags: items 0 and 1 are equal (uniqueItems)",
            "/: property \"extra\" is not allowed (additionalProperties)",
            "/: missing required property \"id\" (required)",
        ])
        #expect(validator.validate(Array("[1,".utf8)).map(\.keyword) == ["json"])
        #expect(validator.isValid(Array(#"{"id": "x"}"#.utf8)))
    }

    @Test("a schema AgentBus cannot honour is refused at load, naming the place")
    func refusedAtLoad() throws {
        do {
            _ = try registry(##"{"properties": {"a": {"unevaluatedProperties": false, "$ref": "#/nowhere"}}}"##)
            Issue.record("expected a load error")
        } catch let error as SchemaLoadError {
            #expect(error.problems.map(\.description) == [
                "/properties/a/unevaluatedProperties: keyword \"unevaluatedProperties\" is not supported: not implemented; list the properties and use additionalProperties",
                "/properties/a/$ref: $ref \"#/nowhere\" does not resolve to a schema (looked for https://example.test/s.json#/nowhere)",
            ])
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: SchemaLoadError.self) { try registry(##"{"$ref": "#"}"##) }
    }

    @Test("the schema directory: --schemas, then AGENTBUS_SCHEMAS, then ./schemas")
    func directoryResolution() {
        let environment = ["AGENTBUS_SCHEMAS": "/etc/agentbus/schemas"]
        #expect(SchemaDirectory.resolve(flag: "mine", environment: environment) == SchemaDirectory(path: "mine", source: .flag))
        #expect(SchemaDirectory.resolve(flag: nil, environment: environment)
            == SchemaDirectory(path: "/etc/agentbus/schemas", source: .environment))
        #expect(SchemaDirectory.resolve(flag: nil, environment: [:]) == SchemaDirectory(path: "schemas", source: .workingDirectory))
    }

    @Test("a missing directory says where the path came from")
    func missingDirectory() {
        do {
            _ = try SchemaDirectory(path: "/nonexistent/schemas", source: .environment).load()
            Issue.record("expected a load error")
        } catch {
            #expect(error.description == "/nonexistent/schemas: no such schema directory (from AGENTBUS_SCHEMAS; pass --schemas DIR or set AGENTBUS_SCHEMAS)")
        }
    }
}
