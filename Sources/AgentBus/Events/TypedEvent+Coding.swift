import Foundation
import JSONSchema

extension TypedEvent {
    /// The payload as JSON bytes, keys sorted so the same value always gives the same bytes.
    ///
    /// Written by ``JSONPayloadEncoder``: the bytes Foundation's `JSONEncoder` would write with
    /// the payload conventions (``EventCoding``), several times faster.
    public func jsonPayload() throws(EventCodingError) -> [UInt8] {
        do {
            return try JSONPayload.encode(self)
        } catch {
            throw EventCodingError("cannot encode \(Self.eventType): \(error)")
        }
    }

    /// Decodes a payload, with ``JSONPayloadDecoder``.
    public init(jsonPayload: [UInt8]) throws(EventCodingError) {
        do {
            self = try JSONPayload.decode(Self.self, from: jsonPayload)
        } catch let error as DecodingError {
            throw EventCodingError("cannot decode \(Self.eventType): \(EventCoding.describe(error))")
        } catch {
            throw EventCodingError("cannot decode \(Self.eventType): \(error)")
        }
    }
}

extension EventEnvelope {
    /// The payload as `Event`, after checking that the envelope's type is `Event.eventType`.
    public func decode<Event: TypedEvent>(as _: Event.Type = Event.self) throws(EventCodingError) -> Event {
        guard type == Event.eventType else {
            throw EventCodingError("event \(id) is a \(type), not a \(Event.eventType)")
        }
        return try Event(jsonPayload: data)
    }
}

/// The JSON conventions of typed payloads.
///
/// ``JSONPayloadEncoder`` and ``JSONPayloadDecoder`` implement them; Foundation's coders set up
/// here are the reference they are tested against, byte for byte.
enum EventCoding {
    /// Foundation's `JSONEncoder` writing typed payloads: sorted keys, `/` unescaped, dates as
    /// RFC 3339 with milliseconds.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
            try container.encode(EventTime(millisecondsSinceEpoch: milliseconds).description)
        }
        return encoder
    }

    /// Foundation's `JSONDecoder` reading typed payloads: dates as RFC 3339.
    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let time = EventTime(rfc3339: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not an RFC 3339 date-time")
            }
            return Date(timeIntervalSince1970: Double(time.millisecondsSinceEpoch) / 1000)
        }
        return decoder
    }

    /// One line: where in the payload, and what went wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "/" : codingPath.map { "/" + ($0.intValue.map(String.init) ?? $0.stringValue) }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
