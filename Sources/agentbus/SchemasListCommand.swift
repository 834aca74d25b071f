import AgentBus
import ArgumentParser

struct SchemasListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the event types with their topics and keys."
    )

    @OptionGroup var schemaOptions: SchemaOptions

    func run() async throws {
        let registry = try schemaOptions.load(command: "schemas list")
        let width = registry.eventTypes.map(\.count).max() ?? 0
        for type in registry.eventTypes {
            let schema = registry.eventSchema(for: type)!
            let padding = String(repeating: " ", count: width - type.count)
            Output.line("\(type)\(padding)  topic \(schema.topic)  key \(schema.keyField ?? "(correlation ID)")")
        }
    }
}
