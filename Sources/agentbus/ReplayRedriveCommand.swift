import AgentBus
import AgentBusReplay
import ArgumentParser
import JSONSchema
import Kafka

struct ReplayRedriveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redrive",
        abstract: "Send a recorded event (or the subtree from it) again, as a new workflow, to reproduce a bug.",
        discussion: """
            Finds the event in the log and sends it again to the topic it was read from, with \
            the same type, source, payload and headers, but a new event ID, a new correlation ID \
            (the new root's ID), ce_time now, hops from 0 and a new trace; with --subtree, also \
            every event it caused, transitively, parents first, each caused by its parent's new \
            copy. Each copy carries agentbus_replay_of (the original event ID) and \
            agentbus_replay_of_correlation (the original workflow). A key equal to the old \
            correlation ID becomes the new one. Payloads are sent as recorded, without schema \
            validation: the point is to reproduce what happened. The agents that consume these \
            events handle them as new work (with --subtree, they also publish their own outputs).

            Prints `correlation-id: <new>` and one `event-id: <old> -> <new> <type>` line per \
            event, as `agentbus publish` prints its IDs; `agentbus replay <new>` then shows the \
            reproduction. --dry-run prints the same plus where each would go, and sends nothing.

            Examples:
              agentbus replay redrive 0190f3a2-8d4f-7abc-9def-0123456789ab --dry-run
              agentbus replay redrive 0190f3a2-... --subtree
              agentbus replay redrive 0190f3a2-... --from-file incident.jsonl --brokers staging:9092
            """
    )

    @OptionGroup var source: ReplaySourceOptions

    @Argument(help: "The recorded event's ID (ce_id).")
    var eventID: String

    @Flag(name: .long, help: "Also every event it caused, transitively.")
    var subtree = false

    @Flag(name: .long, help: "Print what would be sent; send nothing.")
    var dryRun = false

    func run() async throws {
        let command = "replay redrive"
        _ = try source.replayOptions(command: command)
        let log = try await source.load(command: command)
        let shownID = eventID.oneLine
        guard log.correlationID(ofEvent: eventID) != nil else {
            Output.error(
                "agentbus \(command): no event \(shownID) among the \(log.recordCount) record(s) read from \(log.metadata.source); `agentbus replay <correlation ID>` shows a workflow's events")
            throw ExitCode.failure
        }
        let redrive: ReplayRedrive
        do {
            let records = try log.eventRecords(from: eventID, subtree: subtree)
            redrive = try ReplayRedrive(records: records, rootEventID: eventID)
        } catch {
            Output.error("agentbus \(command): \(error)")
            throw ExitCode.failure
        }

        Output.line("correlation-id: \(redrive.correlationID)")
        if dryRun {
            for event in redrive.events {
                Output.line(Self.eventLine(event))
                Output.line("  to \(event.topic), key \(event.key.map { String(decoding: $0, as: UTF8.self).oneLine } ?? "-")")
                for header in event.headers {
                    let value = header.value.map { String(decoding: $0, as: UTF8.self).oneLine } ?? "(null)"
                    Output.line("  \(header.name): \(value)")
                }
            }
            Output.error("agentbus \(command): dry run: nothing was sent (\(redrive.events.count) event(s) would be)")
            return
        }

        var configuration = try source.connection.producerConfiguration()
        configuration.deliveryTimeout = .seconds(30)
        let producer = try KafkaProducer(configuration: configuration, logger: ConnectionOptions.quietLogger("agentbus.replay"))
        try? producer.prepare(topics: Array(Set(redrive.events.map(\.topic))))
        for (index, event) in redrive.events.enumerated() {
            do {
                let report = try await producer.send(
                    topic: event.topic, key: event.key, value: event.envelope.data, headers: event.headers)
                Output.line(Self.eventLine(event))
                Output.error(
                    "sent \(event.envelope.type) to \(report.topic)/\(report.partition)@\(report.offset), key \(event.envelope.key ?? "-")")
            } catch {
                Output.error(
                    "agentbus \(command): \(event.originalID.oneLine) was not sent (\(index) of \(redrive.events.count) were): \(error.message)")
                try? await producer.close(timeout: .seconds(5))
                throw ExitCode.failure
            }
        }
        try? await producer.close(timeout: .seconds(5))
    }

    static func eventLine(_ event: ReplayRedrive.Event) -> String {
        "event-id: \(event.originalID.oneLine) -> \(event.envelope.id) \(event.envelope.type.oneLine)"
    }
}
