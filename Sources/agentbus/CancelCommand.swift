import AgentBus
import ArgumentParser
import Foundation
import Kafka

/// `agentbus cancel`: writes a cancellation to `agentbus.control`, which every agent instance
/// follows.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a workflow: every agent drops its events not yet started and stops its running handlers.",
        discussion: """
            Writes a cancel record for CORRELATION_ID to agentbus.control, which every agent \
            instance follows. From then on, each agent records the workflow's events as \
            `cancelled` in agentbus.activity instead of handling them (replay shows them), gives \
            up handlers of the workflow that are running (their outputs are not sent), and retires \
            the workflow's timers. Events already handled stay handled: cancelling does not undo.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The workflow's correlation ID (as `agentbus publish` printed it).")
    var correlationID: String

    @Option(help: "Why, recorded with the cancellation and in the activity of every skipped event.")
    var reason: String

    func validate() throws {
        if correlationID.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the correlation ID is empty") }
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must say why") }
    }

    func run() async throws {
        let control = WorkflowControl(
            action: .cancel, correlationId: correlationID, reason: reason,
            requestedBy: ProcessInfo.processInfo.environment["USER"] ?? "unknown",
            host: ProcessInfo.processInfo.hostName, time: EventTime.now().millisecondsSinceEpoch)
        let producer = try KafkaProducer(configuration: try connection.producerConfiguration())
        do {
            let report = try await producer.send(topic: AgentTopics.control, key: correlationID, value: control.jsonBytes)
            print("cancelled \(correlationID) (agentbus.control/\(report.partition)@\(report.offset))")
        } catch {
            Output.error("agentbus cancel: not cancelled: \(error.message)")
            try? await producer.close(timeout: .seconds(1))
            throw ExitCode.failure
        }
        try? await producer.close(timeout: .seconds(5))
    }
}
