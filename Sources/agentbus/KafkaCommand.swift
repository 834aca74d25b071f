import ArgumentParser

struct KafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Produce and consume raw Kafka records (no envelope, no schemas).",
        discussion: "Low-level tools for checking a cluster and for fault drills; agents use typed events.",
        subcommands: [KafkaProduceCommand.self, KafkaConsumeCommand.self]
    )
}
