import Foundation
import JSONSchema
import Testing

@Suite("Schema validation errors")
struct SchemaValidatorTests {
    func registry(_ schema: String) throws -> SchemaSet {
        try SchemaSet(documents: [SchemaDocument(value: try JSONValue(parsing: schema), uri: "https://example.test/s.json")])
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

    @Test("multipleOf is exact for payload numbers of any length")
    func exactMultipleOf() throws {
        let validator = try #require(try registry(#"{"multipleOf": 0.01}"#).validator(for: "https://example.test/s.json"))
        for (number, expected) in [
            ("123456789012345678.01", true), ("123456789012345678.011", false), ("0.0300", true), ("7", true),
            ("-0.07", true), ("1e400", true), ("1.5e-3", false), ("0", true), ("12345678901234567890123456789.10", true),
        ] {
            #expect(validator.isValid(Array(number.utf8)) == expected, "\(number)")
        }
    }

    @Test("hostile payloads and schemas end quickly with a clear answer")
    func limits() throws {
        let unique = try #require(try registry(#"{"uniqueItems": true}"#).validator(for: "https://example.test/s.json"))
        let distinct = "[" + (0..<100_000).map(String.init).joined(separator: ",") + "]"
        #expect(unique.isValid(Array(distinct.utf8)), "100,000 distinct items, compared by hash, not pairwise")
        #expect(unique.validate(Array(("[" + (0..<100_000).map(String.init).joined(separator: ",") + ",99999.0]").utf8))
            .map(\.description) == ["/: items 99999 and 100000 are equal (uniqueItems)"])

        // Every level applies two schemas to the same value: 2^40 steps without a limit.
        var definitions: [String] = []
        for level in 0..<40 {
            definitions.append(##""d\##(level)": {"allOf": [{"$ref": "#/$defs/d\##(level + 1)"}, {"$ref": "#/$defs/d\##(level + 1)"}]}"##)
        }
        definitions.append(##""d40": {"type": "string"}"##)
        let exponential = try #require(try registry(##"{"$ref": "#/$defs/d0", "$defs": {"## + definitions.joined(separator: ",") + "}}")
            .validator(for: "https://example.test/s.json"))
        #expect(exponential.validate(Array("1".utf8)).map(\.keyword).contains("limits"))

        let recursive = try #require(try registry(##"{"items": {"$ref": "#"}}"##).validator(for: "https://example.test/s.json"))
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(recursive.validate(Array(deep.utf8)).map(\.keyword) == ["limits"])
    }

    @Test("a bound beyond Double is refused at load, not a crash later")
    func infiniteBound() {
        #expect(throws: SchemaLoadError.self) { try registry(#"{"minimum": 1e400}"#) }
        #expect(throws: SchemaLoadError.self) { try registry(#"{"multipleOf": 1e400}"#) }
    }
}
