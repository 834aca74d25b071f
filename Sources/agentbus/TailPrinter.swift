import AgentBus
import Foundation
import JSONSchema
import Kafka

/// Renders records for `tail`: decoded events, or raw records with the reason they are not.
struct TailPrinter: Sendable {
    let registry: SchemaRegistry?
    let json: Bool

    func print(_ record: KafkaRecord) {
        let envelope: EventEnvelope
        do {
            envelope = try EventEnvelope(record: record)
        } catch {
            if let kind = Self.runtimeRecordKinds[record.topic], let value = try? JSONValue(parsing: record.value) {
                printRuntimeRecord(record, kind: kind, value: value)
            } else {
                printRaw(record, reason: error.message)
            }
            return
        }
        let problem = schemaProblem(envelope)
        if json {
            var object = JSONObject([
                "topic": .string(record.topic), "partition": .number(JSONNumber(Int(record.partition))),
                "offset": .number(JSONNumber(Int(record.offset))), "event": envelope.jsonValue,
            ])
            if let problem { object["schemaError"] = .string(problem) }
            Output.line(JSONValue.object(object).jsonText)
            return
        }
        let time = envelope.time?.description ?? Self.time(of: record)
        let payload = (try? JSONValue(parsing: envelope.data))?.jsonText ?? String(decoding: envelope.data, as: UTF8.self)
        var line = "\(time) \(record.topic)/\(record.partition)@\(record.offset) \(envelope.type) id=\(envelope.id)"
        line += " correlation=\(envelope.correlationID) causation=\(envelope.causationID ?? "-")"
        line += " key=\(envelope.key ?? "-") hops=\(envelope.hops) \(payload)"
        if let problem { line += "  !! \(problem)" }
        Output.line(line.oneLine)
    }

    /// The payload's first schema violation, or why it cannot be checked; nil when it is valid
    /// or no schemas are loaded.
    private func schemaProblem(_ envelope: EventEnvelope) -> String? {
        guard let registry else { return nil }
        guard let schema = registry.eventSchema(for: envelope.type) else { return "unknown event type" }
        let violations = schema.validator.validate(envelope.data)
        guard let first = violations.first else { return nil }
        return "schema: \(first)" + (violations.count > 1 ? " (and \(violations.count - 1) more)" : "")
    }

    /// The runtime's own records are JSON without CloudEvents headers: not foreign, so they are
    /// named for what they are rather than shown as raw records.
    static let runtimeRecordKinds = [
        AgentTopics.activity: "activity", AgentTopics.heartbeats: "heartbeat", AgentTopics.registry: "registry",
    ]

    private func printRuntimeRecord(_ record: KafkaRecord, kind: String, value: JSONValue) {
        if json {
            Output.line(JSONValue.object(JSONObject([
                "topic": .string(record.topic), "partition": .number(JSONNumber(Int(record.partition))),
                "offset": .number(JSONNumber(Int(record.offset))), kind: value,
            ])).jsonText)
            return
        }
        let key = record.key.map(Self.text) ?? "-"
        Output.line(
            "\(Self.time(of: record)) \(record.topic)/\(record.partition)@\(record.offset) \(kind) key=\(key) \(value.jsonText)".oneLine)
    }

    private func printRaw(_ record: KafkaRecord, reason: String) {
        let key = record.key.map(Self.text)
        let value = Self.text(record.value)
        if json {
            Output.line(JSONValue.object(JSONObject([
                "topic": .string(record.topic), "partition": .number(JSONNumber(Int(record.partition))),
                "offset": .number(JSONNumber(Int(record.offset))), "notAnEvent": .string(reason),
                "key": key.map(JSONValue.string) ?? .null, "value": .string(value),
                "headers": .array(record.headers.map { header in
                    .array([.string(header.name), header.value.map { .string(Self.text($0)) } ?? .null])
                }),
            ])).jsonText)
            return
        }
        Output.line(
            "\(Self.time(of: record)) \(record.topic)/\(record.partition)@\(record.offset) (raw: \(reason)) key=\(key ?? "-") \(value)".oneLine)
    }

    private static func time(of record: KafkaRecord) -> String {
        record.timestamp.map { EventTime(millisecondsSinceEpoch: $0.millisecondsSince1970).description } ?? "-"
    }

    /// UTF-8 text as is; other bytes as hex, so a binary record still shows what it holds.
    private static func text(_ bytes: KafkaBytes) -> String {
        if let text = bytes.validUTF8String { return text }
        return "0x" + bytes.prefix(256).map { String(format: "%02x", $0) }.joined() + (bytes.count > 256 ? "..." : "")
    }
}
