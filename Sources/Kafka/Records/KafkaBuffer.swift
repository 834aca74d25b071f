/// Bytes the producer can send as a key or value without copying them first.
///
/// `[UInt8]`, `ArraySlice<UInt8>`, `String`, `Substring`, `UnsafeRawBufferPointer` and received
/// ``KafkaBytes`` conform.
public protocol KafkaBuffer {
    func withUnsafeKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: KafkaBuffer where Element == UInt8 {
    @inlinable
    public func withUnsafeKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension ArraySlice: KafkaBuffer where Element == UInt8 {
    @inlinable
    public func withUnsafeKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension String: KafkaBuffer {
    @inlinable
    public func withUnsafeKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self  // native strings are contiguous already: no copy is made
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

extension Substring: KafkaBuffer {
    @inlinable
    public func withUnsafeKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

extension UnsafeRawBufferPointer: KafkaBuffer {
    @inlinable
    public func withUnsafeKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(self)
    }
}
