import AgentBus
import Foundation
import JSONSchema
import Testing

@Suite("The schema directory")
struct SchemaDirectoryTests {
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
