import AgentBus
import AgentBusReplay
import JSONSchema
import Kafka

/// Renders dead letters for the `dlt` commands: one block per dead letter for people, one JSON
/// object per line for scripts, and the short form `redrive` prints.
enum DeadLetterPrinter {
    /// Payloads are shown up to this many bytes in blocks; `--json` carries them whole.
    static let payloadLimit = 500

    static func status(_ entry: DeadLetterInbox.Entry) -> String {
        entry.redrivenBy.map { "redriven (\($0))" } ?? "pending"
    }

    /// `schema`, or `unknown` for a dead letter without a readable `agentbus_failure_class`.
    static func failureClass(_ entry: DeadLetterInbox.Entry) -> String {
        entry.deadLetter.failureClass?.rawValue ?? "unknown"
    }

    static func header(_ entry: DeadLetterInbox.Entry, _ name: String) -> String? {
        entry.deadLetter.record.headers[name].map(text)
    }

    /// `loan-scorer.dlt/0/5  schema  dev.agentbus...v1  id=...`: which dead letter, in one line.
    static func summary(_ entry: DeadLetterInbox.Entry) -> String {
        "\(entry.position)  \(failureClass(entry))  \(header(entry, EnvelopeHeader.type) ?? "-")  id=\(header(entry, EnvelopeHeader.id) ?? "-")"
    }

    static func block(_ entry: DeadLetterInbox.Entry) -> [String] {
        let deadLetter = entry.deadLetter
        let attempts = deadLetter.attempts.map { " after \($0) attempt\($0 == 1 ? "" : "s")" } ?? ""
        var lines = ["\(entry.position)  \(status(entry))"]
        func field(_ name: String, _ value: String?) {
            lines.append("  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + (value ?? "-").oneLine)
        }
        field("class", failureClass(entry) + attempts)
        field("original", deadLetter.origin?.description)
        let who = [deadLetter.agent, deadLetter.instance.map { "instance \($0)" }].compactMap { $0 }.joined(separator: " ")
        field("agent", who.isEmpty ? nil : who)
        field("failed at", deadLetter.failedAt)
        field("type", header(entry, EnvelopeHeader.type))
        field("id", header(entry, EnvelopeHeader.id))
        field("correlation", header(entry, EnvelopeHeader.correlationID))
        field("reason", deadLetter.reason.map { reason in deadLetter.errorType.map { "\(reason) (\($0))" } ?? reason })
        field("key", deadLetter.record.key.map(text))
        field("payload", payload(deadLetter.record.value))
        return lines
    }

    static func json(_ entry: DeadLetterInbox.Entry) -> String {
        let deadLetter = entry.deadLetter
        func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func number(_ value: Int64?) -> JSONValue { value.map { .number(JSONNumber(Int($0))) } ?? .null }
        func raw(_ name: String) -> JSONValue { string(deadLetter.record.headers.string(named: name)) }
        return JSONValue.object(JSONObject([
            "topic": .string(entry.position.topic), "partition": number(Int64(entry.position.partition)),
            "offset": number(entry.position.offset), "status": .string(entry.isRedriven ? "redriven" : "pending"),
            "redrivenBy": string(entry.redrivenBy?.description), "failureClass": string(deadLetter.failureClass?.rawValue),
            "attempts": number(deadLetter.attempts.map(Int64.init)), "originalTopic": string(deadLetter.originalTopic),
            "originalPartition": number(deadLetter.originalPartition.map(Int64.init)),
            "originalOffset": number(deadLetter.originalOffset), "agent": string(deadLetter.agent),
            "instance": string(deadLetter.instance), "consumerGroup": string(deadLetter.consumerGroup),
            "failedAt": string(deadLetter.failedAt), "type": raw(EnvelopeHeader.type), "id": raw(EnvelopeHeader.id),
            "correlationId": raw(EnvelopeHeader.correlationID), "errorType": string(deadLetter.errorType),
            "reason": string(deadLetter.reason), "key": string(deadLetter.record.key.map { $0.string }),
            "payload": .string(deadLetter.record.value.string),
        ])).jsonText
    }

    /// The value on one line: text with control characters escaped, or hex when it is not
    /// UTF-8; cut after ``payloadLimit`` bytes (at a character boundary) with a note saying how
    /// long it is.
    static func payload(_ value: KafkaBytes) -> String {
        guard value.count > 0 else { return "(empty)" }
        let isText = value.validUTF8String != nil
        var cut = min(value.count, payloadLimit)
        if isText {
            // Back up over continuation bytes (10xxxxxx) so no character is split.
            while cut < value.count, cut > 0, value[cut] & 0xC0 == 0x80 { cut -= 1 }
        }
        let shown = isText ? String(decoding: value.prefix(cut), as: UTF8.self).oneLine : hex(value.prefix(cut))
        return cut < value.count ? "\(shown) ... (\(value.count) bytes, first \(cut) shown)" : shown
    }

    private static func text(_ bytes: KafkaBytes) -> String {
        bytes.validUTF8String?.oneLine ?? hex(bytes[...])
    }

    private static func hex(_ bytes: Slice<KafkaBytes>) -> String {
        "0x" + bytes.map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }
}
