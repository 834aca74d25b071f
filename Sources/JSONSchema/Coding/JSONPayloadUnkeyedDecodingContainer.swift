/// An array being read by ``JSONPayloadDecoder``, element by element in node order.
///
/// As with Foundation, a failed `decode` does not move on to the next element, so a caller can
/// try another type for the same element.
struct JSONPayloadUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let storage: JSONPayloadDecoderStorage
    // Int32s rather than Ints (node indices are 32-bit in the parser anyway): four of them with
    // the storage make three words, which fit in `any UnkeyedDecodingContainer` without a box.
    private let array: Int32
    private let path: Int32
    private var index: Int32 = 0
    /// The node of the element at `index`.
    private var current: Int32

    init(storage: JSONPayloadDecoderStorage, array: Int, path: Int) {
        self.storage = storage
        self.array = Int32(array)
        self.path = Int32(path)
        self.current = Int32(array + 1)
    }

    var codingPath: [any CodingKey] { storage.paths.codingPath(Int(path)) }

    var count: Int? { Int(storage.document[Int(array)].length) }

    var isAtEnd: Bool { Int(index) >= count! }

    var currentIndex: Int { Int(index) }

    mutating func decodeNil() throws -> Bool {
        let node = try next(Any?.self)
        guard storage.kind(node) == .null else { return false }
        advance()
        return true
    }

    mutating func decode(_: Bool.Type) throws -> Bool { try read { try $0.bool($1, codingPath: $2) } }
    mutating func decode(_: String.Type) throws -> String { try read { try $0.string($1, codingPath: $2) } }
    mutating func decode(_: Double.Type) throws -> Double { try read { try $0.double($1, codingPath: $2) } }
    mutating func decode(_: Float.Type) throws -> Float { try read { try $0.float($1, codingPath: $2) } }
    mutating func decode(_: Int.Type) throws -> Int { try read { try $0.integer($1, as: Int.self, codingPath: $2) } }
    mutating func decode(_: Int8.Type) throws -> Int8 { try read { try $0.integer($1, as: Int8.self, codingPath: $2) } }
    mutating func decode(_: Int16.Type) throws -> Int16 { try read { try $0.integer($1, as: Int16.self, codingPath: $2) } }
    mutating func decode(_: Int32.Type) throws -> Int32 { try read { try $0.integer($1, as: Int32.self, codingPath: $2) } }
    mutating func decode(_: Int64.Type) throws -> Int64 { try read { try $0.integer($1, as: Int64.self, codingPath: $2) } }
    mutating func decode(_: Int128.Type) throws -> Int128 { try read { try $0.integer($1, as: Int128.self, codingPath: $2) } }
    mutating func decode(_: UInt.Type) throws -> UInt { try read { try $0.integer($1, as: UInt.self, codingPath: $2) } }
    mutating func decode(_: UInt8.Type) throws -> UInt8 { try read { try $0.integer($1, as: UInt8.self, codingPath: $2) } }
    mutating func decode(_: UInt16.Type) throws -> UInt16 { try read { try $0.integer($1, as: UInt16.self, codingPath: $2) } }
    mutating func decode(_: UInt32.Type) throws -> UInt32 { try read { try $0.integer($1, as: UInt32.self, codingPath: $2) } }
    mutating func decode(_: UInt64.Type) throws -> UInt64 { try read { try $0.integer($1, as: UInt64.self, codingPath: $2) } }
    mutating func decode(_: UInt128.Type) throws -> UInt128 { try read { try $0.integer($1, as: UInt128.self, codingPath: $2) } }

    mutating func decode<T: Decodable>(_: T.Type) throws -> T {
        let node = try next(T.self)
        let (storage, path, index) = (storage, Int(path), Int(index))
        let value = try storage.decode(T.self, at: node, path: { storage.paths.append(index: index, to: path) })
        advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try elementDecoder(try next(KeyedDecodingContainer<NestedKey>.self)).container(keyedBy: type)
        advance()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try elementDecoder(try next(UnkeyedDecodingContainer.self)).unkeyedContainer()
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = elementDecoder(try next(Decoder.self))
        advance()
        return decoder
    }

    // MARK: - Helpers

    /// The node of the current element; at the end, Foundation's `valueNotFound`.
    private func next(_ type: Any.Type) throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: storage.paths.codingPath(Int(path), appendingIndex: Int(index)),
                debugDescription: "Unkeyed container is at end."))
        }
        return Int(current)
    }

    /// Reads the current element with `body` (given the storage, the element's node and, for
    /// errors, its coding path) and moves on if that succeeds.
    private mutating func read<T>(
        _ body: (JSONPayloadDecoderStorage, Int, () -> [any CodingKey]) throws -> T
    ) throws -> T {
        let node = try next(T.self)
        let (storage, path, index) = (storage, Int(path), Int(index))
        let value = try body(storage, node, { storage.paths.codingPath(path, appendingIndex: index) })
        advance()
        return value
    }

    private mutating func advance() {
        current = Int32(storage.document[Int(current)].end)
        index += 1
    }

    private func elementDecoder(_ node: Int) -> JSONPayloadDecoder {
        JSONPayloadDecoder(storage: storage, node: node, path: storage.paths.append(index: Int(index), to: Int(path)))
    }
}
