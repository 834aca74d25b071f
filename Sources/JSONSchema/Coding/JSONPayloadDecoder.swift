
/// AgentBus's `Decoder` for typed event payloads: reads what Foundation's `JSONDecoder` reads
/// with the payload conventions (dates as RFC 3339 strings, to the millisecond), straight from
/// the payload bytes.
///
/// Foundation's decoder builds its own map of the JSON text and boxes each container; this one
/// parses the payload with AgentBus's parser into a flat node array on the stack
/// (``JSONDocument``) and reads values from it in place.
///
/// Errors are the standard `DecodingError`s with the value's coding path, worded as Foundation
/// words them, so ``EventCoding/describe(_:)`` gives one line such as `/score: expected Int`.
/// Beyond Foundation: a number that is not an integer, or does not fit the integer type, is a
/// `dataCorrupted` error naming the number and the type at the value's path; text that is not
/// JSON (including nesting deeper than ``JSONParser/maximumDepth``) is a `dataCorrupted` error
/// at the top level with the parser's message.
///
/// A decoder stands for one value being read, a node of the document. It is three words, so
/// passing it as `any Decoder` allocates nothing.
struct JSONPayloadDecoder: Decoder {
    let storage: JSONPayloadDecoderStorage
    /// The value's node, or ``JSONPayloadDecoderStorage/absent``.
    let node: Int
    /// The value's coding path entry in `storage.paths`.
    let path: Int

    /// Decodes a `T` from a JSON payload.
    static func decode<T: Decodable>(_: T.Type, from payload: [UInt8]) throws -> T {
        // The value is decoded into a stack slot, and the parse reports only whether it worked:
        // with `T` unknown until run time, returning a `Result<T, Error>` through the parser's
        // closure would make the runtime look up that generic type's metadata on every call.
        try withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { slot in
            var failure: (any Error)?
            let decoded: Bool
            do throws(JSONParseError) {
                decoded = try payload.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
                    try JSONDocument.withParsed(buffer) { document in
                        do {
                            let storage = JSONPayloadDecoderStorage(document: document)
                            slot.initializeElement(at: 0, to: try storage.decode(T.self, at: 0, path: { CodingPathTable.root }))
                            return true
                        } catch {
                            failure = error
                            return false
                        }
                    }
                }
            } catch {
                throw DecodingError.dataCorrupted(DecodingError.Context(
                    codingPath: [], debugDescription: error.description, underlyingError: error))
            }
            guard decoded else { throw failure! }
            return slot.moveElement(from: 0)
        }
    }

    var codingPath: [any CodingKey] { storage.paths.codingPath(path) }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy _: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch storage.kind(node) {
        case .object:
            return KeyedDecodingContainer(JSONPayloadKeyedDecodingContainer<Key>(storage: storage, object: node, path: path))
        case .null:
            throw DecodingError.valueNotFound(KeyedDecodingContainer<Key>.self, DecodingError.Context(
                codingPath: codingPath, debugDescription: "Cannot get keyed decoding container -- found null value instead"))
        default:
            throw storage.mismatch([String: Any].self, node, codingPath)
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch storage.kind(node) {
        case .array:
            return JSONPayloadUnkeyedDecodingContainer(storage: storage, array: node, path: path)
        case .null:
            throw DecodingError.valueNotFound(UnkeyedDecodingContainer.self, DecodingError.Context(
                codingPath: codingPath, debugDescription: "Cannot get unkeyed decoding container -- found null value instead"))
        default:
            throw storage.mismatch([Any].self, node, codingPath)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}

extension JSONPayloadDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { storage.kind(node) == .null }

    func decode(_: Bool.Type) throws -> Bool { try storage.bool(node, codingPath: { codingPath }) }
    func decode(_: String.Type) throws -> String { try storage.string(node, codingPath: { codingPath }) }
    func decode(_: Double.Type) throws -> Double { try storage.double(node, codingPath: { codingPath }) }
    func decode(_: Float.Type) throws -> Float { try storage.float(node, codingPath: { codingPath }) }
    func decode(_: Int.Type) throws -> Int { try storage.integer(node, as: Int.self, codingPath: { codingPath }) }
    func decode(_: Int8.Type) throws -> Int8 { try storage.integer(node, as: Int8.self, codingPath: { codingPath }) }
    func decode(_: Int16.Type) throws -> Int16 { try storage.integer(node, as: Int16.self, codingPath: { codingPath }) }
    func decode(_: Int32.Type) throws -> Int32 { try storage.integer(node, as: Int32.self, codingPath: { codingPath }) }
    func decode(_: Int64.Type) throws -> Int64 { try storage.integer(node, as: Int64.self, codingPath: { codingPath }) }
    func decode(_: Int128.Type) throws -> Int128 { try storage.integer(node, as: Int128.self, codingPath: { codingPath }) }
    func decode(_: UInt.Type) throws -> UInt { try storage.integer(node, as: UInt.self, codingPath: { codingPath }) }
    func decode(_: UInt8.Type) throws -> UInt8 { try storage.integer(node, as: UInt8.self, codingPath: { codingPath }) }
    func decode(_: UInt16.Type) throws -> UInt16 { try storage.integer(node, as: UInt16.self, codingPath: { codingPath }) }
    func decode(_: UInt32.Type) throws -> UInt32 { try storage.integer(node, as: UInt32.self, codingPath: { codingPath }) }
    func decode(_: UInt64.Type) throws -> UInt64 { try storage.integer(node, as: UInt64.self, codingPath: { codingPath }) }
    func decode(_: UInt128.Type) throws -> UInt128 { try storage.integer(node, as: UInt128.self, codingPath: { codingPath }) }

    func decode<T: Decodable>(_: T.Type) throws -> T { try storage.decode(T.self, at: node, path: { path }) }
}
