#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A property name a schema mentions, prepared for comparison against object keys in the input:
/// the length and the first eight bytes decide almost every mismatch in one comparison each.
struct SchemaPropertyName: Sendable {
    let name: String
    let utf8: [UInt8]
    private let head: UInt64

    init(_ name: String) {
        self.name = name
        self.utf8 = Array(name.utf8)
        self.head = utf8.withUnsafeBufferPointer { Self.head(of: $0) }
    }

    /// Whether the key node at `index` of `document` is this name.
    func matches(_ document: JSONDocument, key index: Int) -> Bool {
        let node = document[index]
        guard node.flags & JSONNode.hasEscapes == 0 else { return document.stringEquals(index, utf8) }
        guard Int(node.length) == utf8.count else { return false }
        let key = UnsafeBufferPointer(rebasing: document.input[Int(node.start)..<Int(node.start + node.length)])
        guard Self.head(of: key) == head else { return false }
        if utf8.count <= 8 { return true }
        return utf8.withUnsafeBufferPointer { memcmp($0.baseAddress! + 8, key.baseAddress! + 8, utf8.count - 8) == 0 }
    }

    private static func head(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var head: UInt64 = 0
        if let base = bytes.baseAddress { memcpy(&head, base, min(bytes.count, 8)) }
        return head
    }
}
