import ArgumentParser

struct DLTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlt",
        abstract: "Inspect and redrive an agent's dead letters.",
        discussion: """
            An agent's dead letters are in <agent>.dlt; redriving sends one back to the agent \
            through its retry topic with the shortest delay (<agent>.retry.<delay>). A dead letter \
            is pending until a record in one of the agent's retry topics names it in its \
            agentbus_redriven_from header, then it is redriven. These commands read \
            without joining a consumer group, so they never disturb the agents.
            """,
        subcommands: [DLTListCommand.self, DLTShowCommand.self, DLTRedriveCommand.self]
    )
}
