/// The bytes of a received key, value, or header value.
///
/// A view into the batch the record arrived in: no copy is made until you ask for one
/// (``array``, ``string``). It keeps that batch's memory alive while it exists.
public struct KafkaBytes: Sendable, RandomAccessCollection, Hashable, KafkaBuffer, CustomStringConvertible {
    let storage: KafkaByteStorage
    let offset: Int
    public let count: Int

    init(storage: KafkaByteStorage, offset: Int, count: Int) {
        self.storage = storage
        self.offset = offset
        self.count = count
    }

    /// Bytes that live in their own storage; for tests and for records built in Swift.
    public init(_ bytes: some Collection<UInt8>) {
        let storage = KafkaByteStorage(capacity: bytes.count)
        let buffer = UnsafeMutableRawBufferPointer(start: storage.base, count: bytes.count)
        _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        self.init(storage: storage, offset: 0, count: bytes.count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "KafkaBytes index out of range")
        return withUnsafeBytes { $0[position] }
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base + offset, count: count))
    }

    public func withUnsafeKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }

    /// A copy as an array.
    public var array: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The bytes decoded as UTF-8 (invalid sequences become U+FFFD): for showing bytes to people.
    public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    /// The bytes as UTF-8 text, or `nil` when they are not valid UTF-8: for reading a value a
    /// protocol defines as text (a header, a key), where a replacement character would pass a
    /// corrupt value off as a real one.
    public var validUTF8String: String? { withUnsafeBytes { String(validating: $0, as: UTF8.self) } }

    public var description: String { string }

    public static func == (lhs: KafkaBytes, rhs: KafkaBytes) -> Bool {
        lhs.withUnsafeBytes { l in rhs.withUnsafeBytes { r in l.elementsEqual(r) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
