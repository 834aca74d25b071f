import Foundation
import JSONSchema
import Kafka

/// The JSON of the rerun's lines: events in their Kafka form (key, headers, value), so the
/// handlers see exactly what they would read from a topic, and bytes as text when they are
/// UTF-8, else as `{"base64": ...}` (the convention of replay's saved logs).
enum RerunJSON {
    static func bytes(_ bytes: [UInt8]) -> JSONValue {
        if let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
        return .object(JSONObject(["base64": .string(Data(bytes).base64EncodedString())]))
    }

    static func bytes(from value: JSONValue?, _ field: String) throws(RerunError) -> [UInt8] {
        switch value {
        case .string(let text)?: return Array(text.utf8)
        case .object(let object)?:
            if case .string(let encoded)? = object["base64"], let data = Data(base64Encoded: encoded) { return Array(data) }
        case nil, .null?: return []
        default: break
        }
        throw RerunError("\(field) is neither a string nor {\"base64\": ...}")
    }

    /// `envelope` as its Kafka record would carry it.
    static func event(_ envelope: EventEnvelope) -> JSONValue {
        var object = JSONObject()
        object["key"] = envelope.key.map(JSONValue.string) ?? .null
        object["headers"] = .array(envelope.kafkaHeaders.map { header in
            .array([.string(header.name), header.value.map(bytes) ?? .null])
        })
        object["value"] = bytes(envelope.data)
        return .object(object)
    }

    /// The envelope of an ``event(_:)`` value, read as the runtime reads a record.
    static func envelope(from value: JSONValue?) throws(RerunError) -> EventEnvelope {
        guard case .object(let object)? = value else { throw RerunError("an event is not a JSON object") }
        var headers: [KafkaHeader] = []
        for case .array(let pair) in object["headers"]?.arrayValue ?? [] {
            guard pair.count == 2, case .string(let name) = pair[0] else {
                throw RerunError("an event header is not a [name, value] pair")
            }
            headers.append(KafkaHeader(name: name, value: pair[1] == .null ? nil : try bytes(from: pair[1], "header \(name)")))
        }
        let key = object["key"]?.stringValue.map { Array($0.utf8) }
        let record = KafkaRecord(topic: "", key: key, value: try bytes(from: object["value"], "an event's value"), headers: headers)
        do {
            return try EventEnvelope(record: record)
        } catch {
            throw RerunError("an event does not read as one: \(error.message)")
        }
    }

    /// Parses one line; `what` names the file for the message.
    static func line(_ text: Substring, number: Int, of what: String) throws(RerunError) -> JSONObject {
        let value: JSONValue
        do { value = try JSONValue(parsing: Array(text.utf8)) } catch {
            throw RerunError("\(what), line \(number): not JSON (\(error.reason) at byte \(error.offset))")
        }
        guard case .object(let object) = value else { throw RerunError("\(what), line \(number): not a JSON object") }
        return object
    }

    /// Checks a header line: `format` and a version this build reads.
    static func header(_ object: JSONObject, format: String, of what: String) throws(RerunError) {
        guard object["format"]?.stringValue == format else {
            throw RerunError("\(what) does not start with {\"format\":\"\(format)\",...}")
        }
        guard object["version"]?.numberValue == JSONNumber(1) else {
            throw RerunError("\(what) is version \(object["version"]?.jsonText ?? "?"); this build reads version 1")
        }
    }

    /// Splits JSON Lines text into its non-empty lines, numbered from 1.
    static func lines(_ bytes: [UInt8]) -> [(number: Int, text: Substring)] {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines: [(Int, Substring)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if !trimmed.isEmpty { lines.append((index + 1, trimmed)) }
        }
        return lines
    }
}
