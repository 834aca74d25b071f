/// An object being written by ``JSONPayloadEncoder``: each member is recorded in the storage,
/// and the object is written with its keys sorted once the whole value is encoded.
struct JSONPayloadKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: JSONPayloadEncoderStorage
    /// The container's index in `storage`.
    let container: Int

    var codingPath: [any CodingKey] { storage.codingPath(ofContainer: container) }

    mutating func encodeNil(forKey key: Key) throws { add(key) { storage.writeNull() } }
    mutating func encode(_ value: Bool, forKey key: Key) throws { add(key) { storage.writeBool(value) } }
    mutating func encode(_ value: String, forKey key: Key) throws { add(key) { storage.writeString(value) } }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        guard value.isFinite else { throw EncodingError.nonFinite(value, codingPath: codingPath + [key]) }
        add(key) { storage.writeDouble(value) }
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        guard value.isFinite else { throw EncodingError.nonFinite(value, codingPath: codingPath + [key]) }
        add(key) { storage.writeFloat(value) }
    }

    mutating func encode(_ value: Int, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int8, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int16, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int32, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int64, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: Int128, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { add(key) { storage.writeInteger(value) } }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try storage.encode(value, to: container, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy _: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let member = storage.addPending(to: container, key: key)
        return KeyedEncodingContainer(JSONPayloadKeyedEncodingContainer<NestedKey>(
            storage: storage, container: storage.container(for: member, isObject: true)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let member = storage.addPending(to: container, key: key)
        return JSONPayloadUnkeyedEncodingContainer(storage: storage, container: storage.container(for: member, isObject: false))
    }

    mutating func superEncoder() -> any Encoder {
        JSONPayloadEncoder(storage: storage, member: storage.addPending(to: container, key: JSONPayloadCodingKey.super))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        JSONPayloadEncoder(storage: storage, member: storage.addPending(to: container, key: key))
    }

    /// Adds the scalar `write` writes under `key`. It passes the storage the key's string: this
    /// code is generic over the key type and runs unspecialized, so it does as little as it can
    /// with `Key`.
    private func add(_ key: Key, _ write: () -> Void) {
        storage.addScalar(to: container, key: key.stringValue, write)
    }
}
