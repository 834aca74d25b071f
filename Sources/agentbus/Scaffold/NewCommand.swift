import ArgumentParser

struct NewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Start something new from a template.",
        subcommands: [NewAgentCommand.self]
    )
}
