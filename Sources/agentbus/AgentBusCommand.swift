import AgentBus
import ArgumentParser

@main
struct AgentBusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentbus",
        abstract: "An event-driven runtime for AI agents on Kafka.",
        discussion: """
            Brokers: every command takes --brokers HOST:PORT,...; without it AgentBus uses \
            $AGENTBUS_BROKERS, then a running `agentbus dev-broker`, then localhost:9092.
            """,
        version: AgentBusVersion.current,
        subcommands: [
            DevBrokerCommand.self, TopicsCommand.self, PublishCommand.self, TailCommand.self, AgentsCommand.self,
            DLTCommand.self, ReplayCommand.self, ApprovalsCommand.self, ApproveCommand.self, RejectCommand.self,
            CancelCommand.self, CostsCommand.self, SchemasCommand.self, KafkaCommand.self, NewCommand.self,
            ModelServerCommand.self, HealthCommand.self,
        ]
    )
}
