import AgentBus
import AgentBusReplay
import ArgumentParser
import Kafka

struct DLTRedriveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redrive",
        abstract: "Send pending dead letters back to their agent through its retry topic.",
        discussion: """
            Selects the pending dead letters that match every --where (keys: \(DeadLetterFilter.keyList); \
            reason matches a part, the others exactly; partition and offset are the dead letter's \
            own, in <agent>.dlt). Each is sent to the agent's retry topic with the shortest delay \
            (<agent>.retry.<delay>, the shortest that exists) with its original key, value and \
            headers, plus agentbus_redriven_from (the dead letter), agentbus_retry_origin (where \
            the event was first read), agentbus_retry_due (now) and agentbus_attempts=0, and each \
            send waits for the broker. The agent handles it like a retry that is due. A redriven \
            dead letter is no longer pending, so running the same redrive again sends nothing.

            Example: agentbus dlt redrive loan-scorer --where class=schema --dry-run
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The agent's name.")
    var agent: String

    @Option(name: .customLong("where"), help: ArgumentHelp(
        "Only dead letters with KEY=VALUE (repeatable; all must match).", valueName: "key=value"))
    var filters: [String] = []

    @Flag(name: .long, help: "Print what would be redriven; send nothing.")
    var dryRun = false

    func run() async throws {
        var parsed: [DeadLetterFilter] = []
        for filter in filters {
            do {
                parsed.append(try DeadLetterFilter(parsing: filter))
            } catch {
                Output.error("agentbus dlt redrive: \(error)")
                throw ExitCode.failure
            }
        }
        let inbox = try await DeadLetterInboxLoader.load(agent: agent, connection: connection, command: "dlt redrive")
        let pending = inbox.pending
        let selected = pending.filter { entry in parsed.allSatisfy { $0.matches(entry) } }
        guard !selected.isEmpty else {
            if inbox.entries.isEmpty {
                Output.line("nothing to redrive: " + DeadLetterInboxLoader.nothingThere(inbox))
            } else if pending.isEmpty {
                Output.line("nothing to redrive: all \(inbox.entries.count) dead letter(s) in \(inbox.deadLetterTopic) were redriven")
            } else {
                let filters = parsed.map(\.description).joined(separator: " ")
                Output.line("nothing to redrive: \(pending.count) pending dead letter(s), none with \(filters)")
            }
            return
        }
        if dryRun {
            for entry in selected { Output.line("would redrive \(DeadLetterPrinter.summary(entry))") }
            let target = inbox.retryTopic ?? "\(agent).retry.<delay> (none exists yet)"
            Output.line("would redrive \(selected.count) dead letter(s) to \(target) (dry run: nothing sent)")
            return
        }
        guard let retryTopic = inbox.retryTopic else {
            Output.error(
                "agentbus dlt redrive: \(agent) has no retry topic (\(agent).retry.<delay>); create them with "
                    + "`agentbus topics create --agent \(agent)`")
            throw ExitCode.failure
        }

        var configuration = try connection.producerConfiguration()
        configuration.deliveryTimeout = .seconds(30)
        let producer = try KafkaProducer(configuration: configuration, logger: ConnectionOptions.quietLogger("agentbus.dlt"))
        try? producer.prepare(topics: [retryTopic])
        var redriven = 0
        for entry in selected {
            let redrive = DeadLetterRedrive(entry, retryTopic: retryTopic)
            do {
                let report = try await producer.send(
                    topic: redrive.topic, key: redrive.key, value: redrive.value, headers: redrive.headers)
                redriven += 1
                Output.line("redriven \(DeadLetterPrinter.summary(entry)) -> \(report.topic)/\(report.partition)/\(report.offset)")
            } catch {
                Output.error(
                    "agentbus dlt redrive: \(entry.position) was not redriven (\(redriven) of \(selected.count) were): \(error.message)")
                try? await producer.close(timeout: .seconds(5))
                throw ExitCode.failure
            }
        }
        try? await producer.close(timeout: .seconds(5))
        Output.line("redrove \(redriven) dead letter(s) to \(retryTopic)")
    }
}
