import AgentBus
import ArgumentParser

struct DLTShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show an agent's dead letters one by one: provenance, reason and payload.",
        discussion: """
            Prints a block per dead letter, in <agent>.dlt order (by partition, then offset): \
            where it sits, pending or redriven (and by which retry record), failure class and \
            attempts, where the event was first read, the instance that gave up and when, the \
            event's type, ID and correlation ID, the reason and the payload on one line (cut \
            after \(DeadLetterPrinter.payloadLimit) bytes). --json prints one object per line \
            with the whole payload.

            Example: agentbus dlt show loan-scorer --pending --limit 5
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The agent's name.")
    var agent: String

    @Option(name: .long, help: "Show at most this many (the first in topic order).")
    var limit: Int?

    @Flag(name: .long, help: "Only the dead letters not redriven yet.")
    var pending = false

    @Flag(name: .long, help: "Print one JSON object per dead letter.")
    var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit takes a whole number of at least 1") }
    }

    func run() async throws {
        let inbox = try await DeadLetterInboxLoader.load(agent: agent, connection: connection, command: "dlt show")
        var entries = pending ? inbox.pending : inbox.entries
        if let limit { entries = Array(entries.prefix(limit)) }
        if json {
            for entry in entries { Output.line(DeadLetterPrinter.json(entry)) }
            return
        }
        guard !entries.isEmpty else {
            Output.line(
                inbox.entries.isEmpty
                    ? DeadLetterInboxLoader.nothingThere(inbox)
                    : "\(inbox.deadLetterTopic): no pending dead letters (\(inbox.entries.count) redriven)")
            return
        }
        for (index, entry) in entries.enumerated() {
            if index > 0 { Output.line("") }
            for line in DeadLetterPrinter.block(entry) { Output.line(line) }
        }
        let total = pending ? inbox.pending.count : inbox.entries.count
        if entries.count < total { Output.error("agentbus dlt show: showed \(entries.count) of \(total)") }
    }
}
