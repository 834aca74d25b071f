/// AgentBus's `Encoder` for typed event payloads: writes the same bytes as Foundation's
/// `JSONEncoder` with the payload conventions (`.sortedKeys`, `.withoutEscapingSlashes`, dates
/// as RFC 3339 strings with milliseconds), in a fraction of the time.
///
/// Foundation builds a tree of boxed values and dictionaries per payload and sorts each
/// dictionary's keys as `String`s; on a 200-byte event that was the largest cost of an agent
/// hop. This encoder writes each scalar's JSON text once, into one buffer, and sorts keys as
/// bytes (see ``JSONPayloadEncoderStorage``).
///
/// Matching Foundation: keys in byte-wise UTF-8 order; `nil` optionals left out; a `Double` or
/// `Float` as its `description` without a trailing `.0`, NaN and infinity an
/// `EncodingError.invalidValue`; `URL` as its absolute string, `Data` as Base64, `Decimal` as a
/// number; a value that encodes nothing as `{}`; a key written twice keeps its last value. One
/// difference: asking an object twice for a nested container under the same key gives two
/// containers, of which the last is written, where Foundation gives the same one twice.
///
/// An encoder stands for one value being written: the top-level value, a member of an object or
/// an element of an array. It is two words, so passing it as `any Encoder` allocates nothing.
struct JSONPayloadEncoder: Encoder {
    let storage: JSONPayloadEncoderStorage
    /// The member of `storage` this encoder writes.
    let member: Int

    /// `value` as compact JSON.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let storage = JSONPayloadEncoderStorage()
        try storage.encode(value, into: 0)
        if case .pending = storage.members[0].value {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return try storage.serialize(value)
    }

    var codingPath: [any CodingKey] { storage.codingPath(ofMember: member) }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy _: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(JSONPayloadKeyedEncodingContainer<Key>(
            storage: storage, container: storage.container(for: member, isObject: true)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        JSONPayloadUnkeyedEncodingContainer(storage: storage, container: storage.container(for: member, isObject: false))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }
}

extension JSONPayloadEncoder: SingleValueEncodingContainer {
    mutating func encodeNil() throws { storage.setScalar(member) { storage.writeNull() } }
    mutating func encode(_ value: Bool) throws { storage.setScalar(member) { storage.writeBool(value) } }
    mutating func encode(_ value: String) throws { storage.setScalar(member) { storage.writeString(value) } }

    mutating func encode(_ value: Double) throws {
        guard value.isFinite else { throw nonFinite(value) }
        storage.setScalar(member) { storage.writeDouble(value) }
    }

    mutating func encode(_ value: Float) throws {
        guard value.isFinite else { throw nonFinite(value) }
        storage.setScalar(member) { storage.writeFloat(value) }
    }

    mutating func encode(_ value: Int) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int8) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int16) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int32) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int64) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int128) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt8) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt16) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt32) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt64) throws { storage.setScalar(member) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt128) throws { storage.setScalar(member) { storage.writeInteger(value) } }

    mutating func encode<T: Encodable>(_ value: T) throws { try storage.encode(value, into: member) }

    private func nonFinite<F: BinaryFloatingPoint>(_ value: F) -> EncodingError {
        .nonFinite(value, codingPath: codingPath)
    }
}

extension EncodingError {
    /// NaN or infinity, which JSON cannot hold: Foundation's error, word for word.
    static func nonFinite<F: BinaryFloatingPoint>(_ value: F, codingPath: [any CodingKey]) -> EncodingError {
        .invalidValue(value, Context(
            codingPath: codingPath, debugDescription: "Unable to encode \(F.self).\(value) directly in JSON."))
    }
}
