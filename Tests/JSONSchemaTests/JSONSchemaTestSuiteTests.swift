@testable import JSONSchema
import Foundation
import Testing

/// The official JSON-Schema-Test-Suite (draft 2020-12), run against AgentBus's validator for
/// every keyword and format it implements.
///
/// A schema that uses something AgentBus rejects on purpose (an unimplemented keyword or
/// format, the meta-schema) is skipped, and the skip is printed with its reason. Any other load
/// error, and any wrong answer, fails the test.
@Suite("JSON-Schema-Test-Suite, draft 2020-12")
struct JSONSchemaTestSuiteTests {
    /// The test files for the keywords AgentBus implements.
    static let files = [
        "additionalProperties", "allOf", "anchor", "anyOf", "boolean_schema", "const", "contains", "content",
        "default", "defs", "dependentRequired", "dependentSchemas", "enum", "exclusiveMaximum", "exclusiveMinimum",
        "format", "if-then-else", "infinite-loop-detection", "items", "maxContains", "maxItems", "maxLength",
        "maxProperties", "maximum", "minContains", "minItems", "minLength", "minProperties", "minimum",
        "multipleOf", "not", "oneOf", "pattern", "patternProperties", "prefixItems", "properties", "propertyNames",
        "ref", "refRemote", "required", "type", "uniqueItems",
        "optional/bignum", "optional/non-bmp-regex", "optional/ecmascript-regex",
        "optional/format/date-time", "optional/format/date", "optional/format/time", "optional/format/uuid",
        "optional/format/uri", "optional/format/uri-reference", "optional/format/email",
        "optional/format/hostname", "optional/format/ipv4", "optional/format/ipv6", "optional/format/duration",
    ]

    /// Load errors that mean "AgentBus does not implement this, on purpose": the case is skipped.
    static let deliberateRejections = ["is not supported", "unknown keyword", "meta-schema"]

    /// Why AgentBus deliberately gives another answer than the suite for a case, or nil.
    static func knownDifference(file: String, test: String) -> String? {
        // The suite's default treats format as an annotation; AgentBus asserts formats
        // (format-assertion vocabulary), which optional/format/ tests in full.
        if file == "format", test.hasSuffix("is only an annotation by default") {
            return "AgentBus asserts formats; optional/format/ covers them"
        }
        return nil
    }

    /// The suite's root; the tests below run only when it was found.
    static var suiteDirectory: URL { JSONSchemaTestSuiteLocation.directory ?? URL(fileURLWithPath: "/nonexistent") }

    @Test(
        "every case of the implemented keywords gives the expected answer",
        .enabled(if: JSONSchemaTestSuiteLocation.isAvailable, JSONSchemaTestSuiteLocation.unavailableReason))
    func officialSuite() throws {
        let remotes = try Self.usableRemotes()
        var passed = 0
        var skipped: [String] = []
        var failures: [String] = []
        for file in Self.files {
            let url = Self.suiteDirectory.appendingPathComponent("tests/draft2020-12/\(file).json")
            let groups = try JSONValue(parsing: [UInt8](Data(contentsOf: url))).arrayValue ?? []
            var filePassed = 0
            for group in groups {
                let description = group["description"]?.stringValue ?? "?"
                let tests = group["tests"]?.arrayValue ?? []
                let document = SchemaDocument(
                    value: group["schema"] ?? .null, uri: "https://suite.agentbus.invalid/\(file)/root.json",
                    file: "\(file).json")
                let registry: SchemaSet
                do {
                    registry = try SchemaSet(documents: [document] + remotes)
                } catch {
                    let reasons = error.problems.map(\.message)
                    if reasons.allSatisfy({ reason in Self.deliberateRejections.contains { reason.contains($0) } }) {
                        skipped.append("\(file): \(description) (\(tests.count) cases): \(reasons[0])")
                    } else {
                        failures.append("\(file): \(description): the schema does not load: \(error)")
                    }
                    continue
                }
                let validator = try #require(registry.validator(for: document.uri))
                for test in tests {
                    let name = "\(file): \(description) / \(test["description"]?.stringValue ?? "?")"
                    let data = Array((test["data"] ?? .null).jsonText.utf8)
                    let expected = test["valid"]?.boolValue ?? false
                    let fast = validator.isValid(data)
                    let violations = validator.validate(data)
                    if fast == expected && violations.isEmpty == expected {
                        passed += 1
                        filePassed += 1
                    } else if let reason = Self.knownDifference(file: file, test: test["description"]?.stringValue ?? "") {
                        skipped.append("\(name): \(reason)")
                    } else {
                        failures.append("\(name): expected \(expected ? "valid" : "invalid"), isValid says \(fast), validate says \(violations)")
                    }
                }
            }
            print("suite: \(file).json: \(filePassed) cases passed")
        }
        for skip in skipped { print("suite: skipped \(skip)") }
        print("suite: \(passed) passed, \(skipped.count) groups or cases skipped, \(failures.count) failed")
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        #expect(passed > 1000, "the suite ran fewer cases than it should; is \(Self.suiteDirectory.path) a whole checkout?")
    }

    /// The suite's remote documents (served at http://localhost:1234/) that AgentBus can load:
    /// those for draft 2020-12 and the shared ones, minus any that use what AgentBus rejects
    /// (and, in turn, those that refer to them).
    static func usableRemotes() throws -> [SchemaDocument] {
        let root = suiteDirectory.appendingPathComponent("remotes")
        var documents: [SchemaDocument] = []
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".json"),
                relative.hasPrefix("draft2020-12/") || !relative.hasPrefix("draft") && !relative.hasPrefix("v1")
            else { continue }
            let value = try JSONValue(parsing: [UInt8](Data(contentsOf: root.appendingPathComponent(relative))))
            documents.append(SchemaDocument(value: value, uri: "http://localhost:1234/\(relative)", file: relative))
        }
        while !documents.isEmpty {
            do {
                _ = try SchemaSet(documents: documents)
                return documents
            } catch {
                let broken = Set(error.problems.compactMap(\.file))
                documents.removeAll { broken.contains($0.file ?? "") }
                if broken.isEmpty { return [] }
            }
        }
        return documents
    }
}
