import AgentBus
import AgentBusReplay
import Foundation
import Kafka
import TestSupport

/// The test agent's event types, as the tests write and read them (the agent's own Swift types
/// live in its executable).
enum TestTypes {
    static let work = "test.agentbus.work.v1"
    static let done = "test.agentbus.done.v1"
    static let ping = "test.agentbus.ping.v1"
    static let pong = "test.agentbus.pong.v1"
    static let left = "test.agentbus.left.v1"
    static let right = "test.agentbus.right.v1"
    static let workTopic = "test.work"
    static let doneTopic = "test.done"
    static let pingTopic = "test.ping"
    static let pongTopic = "test.pong"
    static let leftTopic = "test.left"
    static let rightTopic = "test.right"
}

/// A `Work` payload: `behavior` tells the test agent how to act.
struct WorkPayload: Codable, Sendable {
    var id: String
    var seq: Int
    var behavior: String
    var untilAttempt: Int?
    var file: String?
    var sleepMs: Int?

    var json: [UInt8] { Array(try! JSONEncoder().encode(self)) }
}

struct DonePayload: Codable, Sendable, Equatable {
    var id: String
    var seq: Int
    var attempt: Int
    /// The model's answer (the `effects` role with a model).
    var answer: String? = nil
}

struct CountPayload: Codable, Sendable {
    var n: Int
}

extension KafkaRecord {
    /// The last header named `name`, as UTF-8 text.
    func header(_ name: String) -> String? { headers.string(named: name) }

    /// The record as an event; nil when it is not one.
    var envelope: EventEnvelope? { try? EventEnvelope(record: self) }

    /// The value decoded as JSON into `type`; nil when it does not decode.
    func decode<T: Decodable>(_ type: T.Type) -> T? { try? JSONDecoder().decode(type, from: Data(value.array)) }

    /// The value as the runtime's activity record; nil when it is not one.
    func decode(_: ActivityRecord.Type) -> ActivityRecord? { try? ActivityRecord(json: value) }

    /// The value as the runtime's heartbeat; nil when it is not one.
    func decode(_: Heartbeat.Type) -> Heartbeat? { try? Heartbeat(json: value) }

    /// Where the record sits, as `topic/partition/offset`.
    var position: RecordOrigin { RecordOrigin(topic: topic, partition: partition, offset: offset) }
}

/// Publishes test inputs as any producer would: CloudEvents headers built by the library, the
/// payload as the value, keyed by correlation ID unless told otherwise.
final class TestPublisher: Sendable {
    let producer: KafkaProducer
    let registry: SchemaRegistry

    init(broker: DevBrokerProcess, schemas: String) throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
        configuration.linger = .milliseconds(1)
        producer = try KafkaProducer(configuration: configuration)
        registry = try SchemaRegistry.load(directory: schemas)
    }

    /// A root event of `type` (a new workflow unless `correlationID` is given).
    func root(_ type: String, _ payload: [UInt8], correlationID: String? = nil, key: String? = nil) -> EventEnvelope {
        var envelope = EventEnvelope.root(
            type: type, source: "/tests/agent-runtime", data: payload, dataSchema: registry.eventSchema(for: type)?.id,
            correlationID: correlationID, key: key)
        envelope.key = key ?? envelope.correlationID
        return envelope
    }

    func topic(of type: String) -> String { registry.eventSchema(for: type)!.topic }

    /// Sends one event and waits for the broker: where it landed.
    @discardableResult
    func send(_ envelope: EventEnvelope, partition: Int32? = nil) async throws -> KafkaDeliveryReport {
        try await producer.send(
            topic: topic(of: envelope.type), key: envelope.key, value: envelope.data, headers: envelope.kafkaHeaders,
            partition: partition)
    }

    /// Sends any record and waits for the broker.
    @discardableResult
    func sendRaw(topic: String, key: String?, value: [UInt8], headers: [KafkaHeader], partition: Int32? = nil)
        async throws -> KafkaDeliveryReport
    {
        try await producer.send(topic: topic, key: key, value: value, headers: headers, partition: partition)
    }

    /// Hands many events over without waiting for each, then waits for all.
    func sendAll(_ envelopes: [EventEnvelope]) async throws {
        for envelope in envelopes {
            try await producer.produce(
                topic: topic(of: envelope.type), key: envelope.key, value: envelope.data, headers: envelope.kafkaHeaders)
        }
        try await producer.flush()
    }

    func close() async { try? await producer.close(timeout: .seconds(5)) }
}

/// Reads topics from their beginning to their current end (the library's snapshot reader).
func snapshot(_ topics: [String], _ broker: DevBrokerProcess) async throws -> TopicSnapshot {
    var configuration = KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "unused")
    configuration.tuneForEmbeddedCluster()
    return try await TopicSnapshotReader(consumerConfiguration: configuration).read(topics)
}

/// Runs `agentbus` to completion against `broker`.
struct CLIResult {
    let status: Int32
    let output: [String]
    let errors: [String]
}

func agentbus(_ arguments: [String], _ broker: DevBrokerProcess) async throws -> CLIResult {
    let process = try ChildProcess(arguments + ["--bootstrap-file", broker.bootstrapFile], capturingStandardError: true)
    let status = await process.waitForExit()
    return CLIResult(status: status, output: process.lines, errors: process.errorLines)
}

/// The trace ID part of a `traceparent` header.
func traceID(_ traceparent: String?) -> String? {
    guard let parts = traceparent?.split(separator: "-"), parts.count == 4 else { return nil }
    return String(parts[1])
}

func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
