import AgentBus
import ArgumentParser
import Foundation
import JSONSchema
import Kafka
import Logging

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Validate an event against its schema and publish it.",
        discussion: """
            Starts a new workflow unless --correlation-id names one. The topic comes from the \
            type's schema (x-agentbus-topic); the key is --key, else the schema's x-agentbus-key \
            field, else the correlation ID. Prints the event ID and correlation ID. An invalid \
            payload prints each error as `schema: <path>: <message> (<keyword>)`, exits 1 and \
            publishes nothing; so does an unknown type, with the closest known types. Exits 1 \
            within 5 s when no broker answers.

            Example: agentbus publish dev.agentbus.loan.credit.checked.v1 --file credit.json
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var schemaOptions: SchemaOptions

    @Argument(help: "The event type (ce_type), e.g. dev.agentbus.loan.application.received.v1.")
    var type: String

    @Option(name: .long, help: ArgumentHelp("The payload, as JSON.", valueName: "json"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("Read the payload from this file ('-' for standard input).", valueName: "file"))
    var file: String?

    @Option(name: .long, help: "The Kafka key. Default: the schema's key field, else the correlation ID.")
    var key: String?

    @Option(name: .long, help: "Join this workflow instead of starting a new one.")
    var correlationID: String?

    @Option(name: .long, help: "Seconds to wait for the broker to acknowledge the event.")
    var timeout: Int = 30

    @Flag(name: .long, help: "Print the result as one JSON line.")
    var json = false

    func validate() throws {
        if (data == nil) == (file == nil) { throw ValidationError("give the payload with exactly one of --data or --file") }
        if timeout < 1 { throw ValidationError("--timeout takes a whole number of seconds, at least 1") }
    }

    func run() async throws {
        let registry = try schemaOptions.load(command: "publish")
        let payload = try readPayload()
        // Everything that can be refused is refused before connecting: a bad event never
        // waits for a broker, and never reaches one.
        let prepared: (envelope: EventEnvelope, schema: EventSchema)
        do {
            prepared = try EventPublisher.prepare(
                type: type, payload: payload, key: key, correlationID: correlationID, registry: registry, source: "/cli")
        } catch {
            report(error)
            throw ExitCode.failure
        }

        let endpoint = connection.endpoint
        let properties = try connection.librdkafkaProperties()
        // librdkafka's own log lines would bury the one-line error; failures arrive as errors.
        var quiet = Logger(label: "agentbus.publish")
        quiet.logLevel = .critical
        let admin = try KafkaAdmin(
            configuration: KafkaClientConfiguration(bootstrapServers: endpoint.bootstrapServers, properties: properties),
            logger: quiet)
        do {
            _ = try await admin.topics(timeout: .seconds(min(timeout, 5)))
        } catch {
            Output.error("agentbus publish: nothing was published: \(error.message)")
            throw ExitCode.failure
        }
        admin.close()

        var configuration = try connection.producerConfiguration()
        configuration.deliveryTimeout = .seconds(timeout)
        let producer = try KafkaProducer(configuration: configuration, logger: quiet)
        let publisher = EventPublisher(producer: producer, registry: registry, source: "/cli")
        let published: PublishedEvent
        do {
            published = try await publisher.publish(prepared.envelope)
        } catch {
            report(error)
            throw ExitCode.failure
        }
        try? await producer.close(timeout: .seconds(5))

        let envelope = published.envelope
        if json {
            Output.line(JSONValue.object(JSONObject([
                "id": .string(envelope.id), "correlationId": .string(envelope.correlationID),
                "type": .string(envelope.type), "topic": .string(published.topic),
                "partition": .number(JSONNumber(Int(published.partition))), "offset": .number(JSONNumber(Int(published.offset))),
                "key": envelope.key.map(JSONValue.string) ?? .null,
            ])).jsonText)
        } else {
            Output.line("event-id: \(envelope.id)")
            Output.line("correlation-id: \(envelope.correlationID)")
            Output.error("published \(envelope.type) to \(published.topic)/\(published.partition)@\(published.offset), key \(envelope.key ?? "-")")
        }
    }

    private func readPayload() throws -> [UInt8] {
        let bytes: [UInt8]
        let origin: String
        if let data {
            bytes = Array(data.utf8)
            origin = "--data"
        } else if let file {
            origin = file == "-" ? "standard input" : file
            guard let contents = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file) else {
                Output.error("agentbus publish: cannot read \(file)")
                throw ExitCode.failure
            }
            bytes = [UInt8](contents)
        } else {
            bytes = []
            origin = "the payload"
        }
        do {
            _ = try JSONValue(parsing: bytes)
        } catch {
            Output.error("agentbus publish: \(origin) is not JSON: \(error)")
            throw ExitCode.failure
        }
        return bytes
    }

    private func report(_ error: PublishError) {
        switch error {
        case .invalidPayload(let type, let violations):
            Output.error("agentbus publish: the payload does not match the schema of \(type); nothing was published")
            for violation in violations { Output.error("schema: \(violation)") }
        case .unknownType, .encoding, .duplicateOutputName, .notEnabled, .undeclaredType:
            Output.error("agentbus publish: nothing was published: \(error)")
        case .kafka:
            Output.error("agentbus publish: \(error)")
        }
    }
}
