import ArgumentParser

struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Provision the topics AgentBus uses.",
        subcommands: [TopicsCreateCommand.self, TopicsACLCommand.self]
    )
}
