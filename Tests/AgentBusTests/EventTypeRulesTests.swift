import AgentBus
import Foundation
import JSONSchema
import Testing

@Suite("Event types in the catalog")
struct EventTypeRulesTests {
    static func schema(_ type: String, topic: String = "orders") -> String {
        """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://example.com/schemas/\(type).json",
          "title": "Order created", "description": "Written by the order service.",
          "x-agentbus-topic": "\(topic)",
          "type": "object", "additionalProperties": false,
          "properties": {"orderId": {"type": "string"}}, "required": ["orderId"],
          "examples": [{"orderId": "o-1"}]
        }
        """
    }

    @Test("any CloudEvents type that can be a file name is accepted, versioned or not", arguments: [
        "com.example.order.created", "OrderCreated", "com.example.order.created.v1", "order_created:2",
    ])
    func otherProducersTypes(type: String) throws {
        #expect(SchemaRegistry.isValidEventType(type))
        let document = SchemaDocument(value: try JSONValue(parsing: Self.schema(type)), uri: "file:///s/\(type).json")
        let registry = try SchemaRegistry(documents: [document])
        #expect(registry.eventTypes == [type])
    }

    @Test("types that cannot be a file name segment or are not printable are refused", arguments: [
        "", ".", "..", "a b", "tab\tin", "new\nline", "back\\slash", "query?x", String(repeating: "a", count: 251),
        "bell\u{7}",
    ])
    func invalidTypes(type: String) {
        #expect(!SchemaRegistry.isValidEventType(type))
    }

    @Test("the versioned reverse-DNS convention is advice: lint warns, and still passes")
    func lintWarnsOnUnconventionalType() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for type in ["com.example.order.created", "com.example.order.shipped.v1"] {
            try Self.schema(type).write(to: directory.appendingPathComponent("\(type).json"), atomically: true, encoding: .utf8)
        }
        let report = SchemaLint.lint(directory: directory.path)
        #expect(report.errorCount == 0, "\(report.findings)")
        #expect(report.eventTypeCount == 2)
        let warnings = report.findings.filter { $0.severity == .warning }
        #expect(warnings.count == 1, "\(report.findings)")
        #expect(warnings.first?.problem.file?.hasSuffix("com.example.order.created.json") == true)
        #expect(warnings.first?.description.contains("is not <reverse-dns>.<name>.v<major>") == true)
        #expect(SchemaRegistry.isConventionalEventType("com.example.order.shipped.v1"))
        #expect(!SchemaRegistry.isConventionalEventType("com.example.order.created"))
    }
}
