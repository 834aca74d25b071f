/// Codable values to and from JSON bytes with the typed-payload conventions: the bytes
/// Foundation's `JSONEncoder` writes with sorted keys, `/` unescaped and RFC 3339 dates with
/// milliseconds, several times faster.
///
/// The coders live beside the parser they read with, so the per-field work stays in one module
/// (and the optimizer sees it whole); AgentBus's `TypedEvent` calls them.
package enum JSONPayload {
    /// `value` as JSON bytes.
    package static func encode<T: Encodable>(_ value: T) throws -> [UInt8] { try JSONPayloadEncoder.encode(value) }

    /// A `T` from JSON bytes; throws `DecodingError` with the path of what does not fit.
    package static func decode<T: Decodable>(_ type: T.Type, from payload: [UInt8]) throws -> T {
        try JSONPayloadDecoder.decode(type, from: payload)
    }
}
