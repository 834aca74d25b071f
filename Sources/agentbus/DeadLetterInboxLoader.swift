import AgentBus
import AgentBusReplay
import ArgumentParser

/// Reads an agent's dead letters for the `dlt` commands, failing with one line.
enum DeadLetterInboxLoader {
    static func load(agent: String, connection: ConnectionOptions, command: String) async throws -> DeadLetterInbox {
        if let problem = AgentTopics.problem(withAgentName: agent) {
            Output.error("agentbus \(command): \(problem)")
            throw ExitCode.failure
        }
        let reader = try connection.snapshotReader(logger: ConnectionOptions.quietLogger("agentbus.dlt"))
        do {
            return try await DeadLetterInbox.read(agent: agent, with: reader)
        } catch {
            Output.error("agentbus \(command): \(error.message)")
            throw ExitCode.failure
        }
    }

    /// What to say when there is nothing to show: the topic is missing, or empty.
    static func nothingThere(_ inbox: DeadLetterInbox) -> String {
        inbox.deadLetterTopicExists
            ? "\(inbox.deadLetterTopic) is empty: no dead letters"
            : "\(inbox.deadLetterTopic) does not exist yet: no dead letters"
    }
}
