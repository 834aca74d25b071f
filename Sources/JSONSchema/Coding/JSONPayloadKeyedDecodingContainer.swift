/// An object being read by ``JSONPayloadDecoder``: members are looked up by key in the parsed
/// document each time (see ``JSONPayloadDecoderStorage/member(named:of:)``).
///
/// The container is generic over `Key`, and at run time that code is not specialized for the
/// caller's key type, so it does as little as it can with `Key`: it takes the key's string and
/// calls the storage's non-generic readers, with concrete types where there is a choice (a helper
/// generic over both the key and the value type would run unspecialized, at many times the cost).
struct JSONPayloadKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let storage: JSONPayloadDecoderStorage
    /// The object's node.
    let object: Int
    /// The object's coding path entry.
    let path: Int

    var codingPath: [any CodingKey] { storage.paths.codingPath(path) }

    var allKeys: [Key] {
        var keys: [Key] = []
        var index = object + 1
        while index < Int(storage.document[object].end) {
            if let key = Key(stringValue: storage.document.string(index)) { keys.append(key) }
            index = Int(storage.document[index + 1].end)
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { storage.member(named: key.stringValue, of: object) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { storage.kind(try value(key)) == .null }

    func decode(_: Bool.Type, forKey key: Key) throws -> Bool {
        try storage.bool(try value(key), codingPath: { path(key) })
    }
    func decode(_: String.Type, forKey key: Key) throws -> String {
        try storage.string(try value(key), codingPath: { path(key) })
    }
    func decode(_: Double.Type, forKey key: Key) throws -> Double {
        try storage.double(try value(key), codingPath: { path(key) })
    }
    func decode(_: Float.Type, forKey key: Key) throws -> Float {
        try storage.float(try value(key), codingPath: { path(key) })
    }
    func decode(_: Int.Type, forKey key: Key) throws -> Int {
        try storage.integer(try value(key), as: Int.self, codingPath: { path(key) })
    }
    func decode(_: Int8.Type, forKey key: Key) throws -> Int8 {
        try storage.integer(try value(key), as: Int8.self, codingPath: { path(key) })
    }
    func decode(_: Int16.Type, forKey key: Key) throws -> Int16 {
        try storage.integer(try value(key), as: Int16.self, codingPath: { path(key) })
    }
    func decode(_: Int32.Type, forKey key: Key) throws -> Int32 {
        try storage.integer(try value(key), as: Int32.self, codingPath: { path(key) })
    }
    func decode(_: Int64.Type, forKey key: Key) throws -> Int64 {
        try storage.integer(try value(key), as: Int64.self, codingPath: { path(key) })
    }
    func decode(_: Int128.Type, forKey key: Key) throws -> Int128 {
        try storage.integer(try value(key), as: Int128.self, codingPath: { path(key) })
    }
    func decode(_: UInt.Type, forKey key: Key) throws -> UInt {
        try storage.integer(try value(key), as: UInt.self, codingPath: { path(key) })
    }
    func decode(_: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try storage.integer(try value(key), as: UInt8.self, codingPath: { path(key) })
    }
    func decode(_: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try storage.integer(try value(key), as: UInt16.self, codingPath: { path(key) })
    }
    func decode(_: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try storage.integer(try value(key), as: UInt32.self, codingPath: { path(key) })
    }
    func decode(_: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try storage.integer(try value(key), as: UInt64.self, codingPath: { path(key) })
    }
    func decode(_: UInt128.Type, forKey key: Key) throws -> UInt128 {
        try storage.integer(try value(key), as: UInt128.self, codingPath: { path(key) })
    }
    func decode<T: Decodable>(_: T.Type, forKey key: Key) throws -> T { try decode(T.self, try value(key), key) }

    // The standard library's `decodeIfPresent` looks the key up three times (`contains`,
    // `decodeNil`, `decode`); these look it up once. Absent and null are both nil.

    func decodeIfPresent(_: Bool.Type, forKey key: Key) throws -> Bool? {
        try ifPresent(key) { try storage.bool($0, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: String.Type, forKey key: Key) throws -> String? {
        try ifPresent(key) { try storage.string($0, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: Double.Type, forKey key: Key) throws -> Double? {
        try ifPresent(key) { try storage.double($0, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: Float.Type, forKey key: Key) throws -> Float? {
        try ifPresent(key) { try storage.float($0, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: Int.Type, forKey key: Key) throws -> Int? {
        try ifPresent(key) { try storage.integer($0, as: Int.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: Int8.Type, forKey key: Key) throws -> Int8? {
        try ifPresent(key) { try storage.integer($0, as: Int8.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: Int16.Type, forKey key: Key) throws -> Int16? {
        try ifPresent(key) { try storage.integer($0, as: Int16.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: Int32.Type, forKey key: Key) throws -> Int32? {
        try ifPresent(key) { try storage.integer($0, as: Int32.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: Int64.Type, forKey key: Key) throws -> Int64? {
        try ifPresent(key) { try storage.integer($0, as: Int64.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: Int128.Type, forKey key: Key) throws -> Int128? {
        try ifPresent(key) { try storage.integer($0, as: Int128.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: UInt.Type, forKey key: Key) throws -> UInt? {
        try ifPresent(key) { try storage.integer($0, as: UInt.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: UInt8.Type, forKey key: Key) throws -> UInt8? {
        try ifPresent(key) { try storage.integer($0, as: UInt8.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: UInt16.Type, forKey key: Key) throws -> UInt16? {
        try ifPresent(key) { try storage.integer($0, as: UInt16.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: UInt32.Type, forKey key: Key) throws -> UInt32? {
        try ifPresent(key) { try storage.integer($0, as: UInt32.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: UInt64.Type, forKey key: Key) throws -> UInt64? {
        try ifPresent(key) { try storage.integer($0, as: UInt64.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent(_: UInt128.Type, forKey key: Key) throws -> UInt128? {
        try ifPresent(key) { try storage.integer($0, as: UInt128.self, codingPath: { path(key) }) }
    }
    func decodeIfPresent<T: Decodable>(_: T.Type, forKey key: Key) throws -> T? {
        try ifPresent(key) { try decode(T.self, $0, key) }
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(try value(key), key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(try value(key), key).unkeyedContainer()
    }

    /// The decoder of the member `super`; as with Foundation, one that reads null if there is none.
    func superDecoder() throws -> any Decoder {
        let node = storage.member(named: JSONPayloadCodingKey.super.stringValue, of: object) ?? JSONPayloadDecoderStorage.absent
        return JSONPayloadDecoder(storage: storage, node: node, path: storage.paths.append(JSONPayloadCodingKey.super, to: path))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder(storage.member(named: key.stringValue, of: object) ?? JSONPayloadDecoderStorage.absent, key)
    }

    // MARK: - Helpers

    /// The node of `key`'s value; a missing key is Foundation's `keyNotFound`.
    private func value(_ key: Key) throws -> Int {
        guard let node = storage.member(named: key.stringValue, of: object) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return node
    }

    /// `body` on `key`'s value, or nil when the key is absent or its value null.
    private func ifPresent<T>(_ key: Key, _ body: (Int) throws -> T) throws -> T? {
        guard let node = storage.member(named: key.stringValue, of: object), storage.kind(node) != .null else { return nil }
        return try body(node)
    }

    private func decode<T: Decodable>(_: T.Type, _ node: Int, _ key: Key) throws -> T {
        try storage.decode(T.self, at: node, path: { storage.paths.append(key, to: path) })
    }

    private func decoder(_ node: Int, _ key: Key) -> JSONPayloadDecoder {
        JSONPayloadDecoder(storage: storage, node: node, path: storage.paths.append(key, to: path))
    }

    /// The coding path of `key`'s value, for errors.
    private func path(_ key: Key) -> [any CodingKey] { storage.paths.codingPath(path, appending: key) }
}
