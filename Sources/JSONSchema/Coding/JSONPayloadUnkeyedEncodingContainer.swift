/// An array being written by ``JSONPayloadEncoder``. Two words, so returning it as
/// `any UnkeyedEncodingContainer` allocates nothing; the element count lives in the storage, so
/// asking the encoder for its unkeyed container twice gives containers that agree.
struct JSONPayloadUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let storage: JSONPayloadEncoderStorage
    /// The container's index in `storage`.
    let container: Int

    var codingPath: [any CodingKey] { storage.codingPath(ofContainer: container) }

    var count: Int { storage.count(of: container) }

    mutating func encodeNil() throws { storage.addScalar(to: container) { storage.writeNull() } }
    mutating func encode(_ value: Bool) throws { storage.addScalar(to: container) { storage.writeBool(value) } }
    mutating func encode(_ value: String) throws { storage.addScalar(to: container) { storage.writeString(value) } }

    mutating func encode(_ value: Double) throws {
        guard value.isFinite else { throw EncodingError.nonFinite(value, codingPath: codingPath + [nextKey]) }
        storage.addScalar(to: container) { storage.writeDouble(value) }
    }

    mutating func encode(_ value: Float) throws {
        guard value.isFinite else { throw EncodingError.nonFinite(value, codingPath: codingPath + [nextKey]) }
        storage.addScalar(to: container) { storage.writeFloat(value) }
    }

    mutating func encode(_ value: Int) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int8) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int16) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int32) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int64) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int128) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt8) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt16) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt32) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt64) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt128) throws { storage.addScalar(to: container) { storage.writeInteger(value) } }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try storage.encode(value, toArray: container)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let member = storage.addPending(to: container)
        return KeyedEncodingContainer(JSONPayloadKeyedEncodingContainer<NestedKey>(
            storage: storage, container: storage.container(for: member, isObject: true)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let member = storage.addPending(to: container)
        return JSONPayloadUnkeyedEncodingContainer(storage: storage, container: storage.container(for: member, isObject: false))
    }

    /// An encoder for the next element, which keeps its place even if elements are added before
    /// it writes (Foundation inserts a superclass's value at the index it was asked at, too).
    mutating func superEncoder() -> any Encoder {
        JSONPayloadEncoder(storage: storage, member: storage.addPending(to: container))
    }

    /// The key of the element about to be written, for errors.
    private var nextKey: JSONPayloadCodingKey { JSONPayloadCodingKey(intValue: count) }
}
