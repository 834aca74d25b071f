import ArgumentParser

struct SchemasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schemas",
        abstract: "Inspect and check the event schemas.",
        subcommands: [SchemasListCommand.self, SchemasLintCommand.self, SchemasCheckCommand.self]
    )
}
