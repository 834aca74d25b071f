import AgentBus
import Foundation
import JSONSchema
import LoanEvents
import Testing

@Suite("Embedded schemas and event types")
struct EmbeddedSchemasTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("LoanEvents embeds the repository's schemas/: the same catalog as the directory")
    func loanEventsEmbedded() throws {
        let embedded = try EmbeddedSchemas.loanEvents.load()
        let directory = try SchemaRegistry.load(directory: Self.repository.appendingPathComponent("schemas").path)
        #expect(embedded.eventTypes == directory.eventTypes)
        // The loan types, and the supervisor's alert, whose schema the example catalog carries.
        #expect(embedded.eventTypes.count == LoanEvents.all.count + 1)
        #expect(embedded.eventSchema(for: SupervisorAlert.eventType)?.topic == SupervisorAlert.topic)
        for type in directory.eventTypes {
            #expect(embedded.eventSchema(for: type)?.id == directory.eventSchema(for: type)?.id)
            #expect(embedded.eventSchema(for: type)?.topic == directory.eventSchema(for: type)?.topic)
        }
        #expect(EmbeddedSchemas.loanEvents.files.contains { $0.path == "defs/loan.json" })
        // A $ref across embedded files resolves: credit.checked uses defs/loan.json.
        let checked = try #require(embedded.eventSchema(for: CreditChecked.eventType))
        for example in checked.examples { #expect(checked.validator.validate(example).isEmpty) }
    }

    @Test("the catalog: --schemas, then AGENTBUS_SCHEMAS, then the embedded schemas, then ./schemas")
    func precedence() {
        let embedded = EmbeddedSchemas(name: "Mine", files: [])
        let environment = ["AGENTBUS_SCHEMAS": "/env"]
        #expect(SchemaDirectory.resolve(flag: "/flag", environment: environment, embedded: embedded).source == .flag)
        #expect(SchemaDirectory.resolve(flag: nil, environment: environment, embedded: embedded).source == .environment)
        let resolved = SchemaDirectory.resolve(flag: nil, environment: [:], embedded: embedded)
        #expect(resolved == SchemaDirectory(embedded: embedded))
        #expect(resolved.catalogDescription == "the schemas embedded in Mine")
        #expect(SchemaDirectory.resolve(flag: nil, environment: [:], embedded: nil).source == .workingDirectory)
    }

    @Test("a broken embedded file is reported under its target and path")
    func loadErrors() {
        let embedded = EmbeddedSchemas(name: "Orders", files: [.init(path: "broken.json", contents: Array("{".utf8))])
        do {
            _ = try SchemaDirectory(embedded: embedded).load()
            Issue.record("expected a load error")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.file == "Orders/schemas/broken.json")
        }
    }
}
