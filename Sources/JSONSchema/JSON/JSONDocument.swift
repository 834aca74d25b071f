#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed JSON text: the input bytes and the nodes that point into them. Lives only inside
/// ``withParsed(_:_:)``, because both buffers are borrowed.
///
/// Other modules of this package read documents too (the replay log loader, per line and field),
/// so the small accessors are public under `@_spi(ParsedDocument)` and `@inlinable`: `package`
/// declarations are not inlined across modules, and an opaque call per field (even `kind ==`
/// became a witness call) doubled replay's load time. The SPI keeps them out of the public API.
@_spi(ParsedDocument) public struct JSONDocument {
    public let input: UnsafeBufferPointer<UInt8>
    public let nodes: UnsafeBufferPointer<JSONNode>

    /// A document over nodes a caller parsed itself (``JSONParser/parse(_:into:)``), for readers
    /// that reuse one node buffer across many inputs.
    @inlinable
    public init(input: UnsafeBufferPointer<UInt8>, nodes: UnsafeBufferPointer<JSONNode>) {
        self.input = input
        self.nodes = nodes
    }

    /// Nodes that fit in 1,024 bytes, the size `withUnsafeTemporaryAllocation` always puts on
    /// the stack: enough for a typical event (a 200-byte payload has about 30 nodes).
    @usableFromInline
    package static let stackNodeCount = 1024 / MemoryLayout<JSONNode>.stride

    /// Parses `input` and hands the document to `body`. The nodes live in a temporary stack
    /// allocation, so parsing an event allocates nothing on the heap; only a document with more
    /// than ``stackNodeCount`` values is parsed again into a buffer that fits it.
    @inlinable
    public static func withParsed<Result>(
        _ input: UnsafeBufferPointer<UInt8>, _ body: (JSONDocument) -> Result
    ) throws(JSONParseError) -> Result {
        let small: Swift.Result<Result, JSONParseError> = withUnsafeTemporaryAllocation(
            of: JSONNode.self, capacity: stackNodeCount
        ) { buffer in
            Swift.Result { () throws(JSONParseError) in try parse(input, into: buffer, body) }
        }
        if case .failure(let error) = small, error == JSONParser.bufferFull {
            let capacity = JSONParser.nodeCapacity(forByteCount: input.count)
            let large: Swift.Result<Result, JSONParseError> = withUnsafeTemporaryAllocation(
                of: JSONNode.self, capacity: capacity
            ) { buffer in
                Swift.Result { () throws(JSONParseError) in try parse(input, into: buffer, body) }
            }
            return try large.get()
        }
        return try small.get()
    }

    @usableFromInline
    static func parse<Result>(
        _ input: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<JSONNode>,
        _ body: (JSONDocument) -> Result
    ) throws(JSONParseError) -> Result {
        let count = try JSONParser.parse(input, into: buffer)
        return body(JSONDocument(input: input, nodes: UnsafeBufferPointer(rebasing: buffer[0..<count])))
    }

    @inlinable
    public subscript(index: Int) -> JSONNode { nodes[index] }

    // MARK: - Strings

    /// The string's content with escapes decoded, as UTF-8. Without escapes this is a slice of
    /// the input; with them, a temporary buffer (decoding never makes a string longer).
    @inlinable
    public func withString<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let node = nodes[index]
        let raw = UnsafeBufferPointer(rebasing: input[Int(node.start)..<Int(node.start + node.length)])
        if node.flags & JSONNode.hasEscapes == 0 { return body(raw) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(raw.count, 1)) { buffer in
            let length = Self.unescape(raw, into: buffer)
            return body(UnsafeBufferPointer(rebasing: buffer[0..<length]))
        }
    }

    @inlinable
    public func string(_ index: Int) -> String {
        withString(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the string equals `bytes` (already-decoded UTF-8) without decoding when possible.
    @inlinable
    public func stringEquals(_ index: Int, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { stringEquals(index, $0) }
    }

    @inlinable
    public func stringEquals(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let node = nodes[index]
        if node.flags & JSONNode.hasEscapes == 0 {
            guard Int(node.length) == bytes.count else { return false }
            if bytes.isEmpty { return true }
            return memcmp(input.baseAddress! + Int(node.start), bytes.baseAddress!, bytes.count) == 0
        }
        return withString(index) { decoded in decoded.elementsEqual(bytes) }
    }

    /// Unicode scalars in the string: what JSON Schema's `minLength` and `maxLength` count.
    package func scalarCount(_ index: Int) -> Int {
        withString(index) { bytes in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }
    }

    /// Decodes JSON escapes from `raw` (already checked by the parser) into `output`; returns the
    /// length. A lone surrogate escape becomes U+FFFD, as most decoders do.
    @usableFromInline
    package static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var read = 0
        var written = 0
        while read < raw.count {
            let byte = raw[read]
            guard byte == UInt8(ascii: "\\") else {
                output[written] = byte
                written += 1
                read += 1
                continue
            }
            let escape = raw[read + 1]
            read += 2
            let simple: UInt8?
            switch escape {
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = 0x0A
            case UInt8(ascii: "r"): simple = 0x0D
            case UInt8(ascii: "t"): simple = 0x09
            case UInt8(ascii: "u"): simple = nil
            default: simple = escape
            }
            if let simple {
                output[written] = simple
                written += 1
                continue
            }
            var scalar = hexValue(raw, read)
            read += 4
            if scalar & 0xFC00 == 0xD800, read + 5 < raw.count, raw[read] == UInt8(ascii: "\\"),
                raw[read + 1] == UInt8(ascii: "u")
            {
                let low = hexValue(raw, read + 2)
                if low & 0xFC00 == 0xDC00 {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    read += 6
                }
            }
            let decoded = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            for unit in UTF8.encode(decoded)! {
                output[written] = unit
                written += 1
            }
        }
        return written
    }

    private static func hexValue(_ raw: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = raw[at + offset]
            let digit = JSONParser.isDigit(byte) ? byte &- UInt8(ascii: "0") : (byte | 0x20) &- UInt8(ascii: "a") &+ 10
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    // MARK: - Numbers

    /// The number's value. Integers of up to 18 digits and short decimals are converted exactly
    /// in place; anything else goes through `strtod`.
    @inlinable
    public func number(_ index: Int) -> Double {
        let node = nodes[index]
        return Self.parseDouble(UnsafeBufferPointer(rebasing: input[Int(node.start)..<Int(node.start + node.length)]))
    }

    /// The number's text, as written.
    @inlinable
    public func numberText(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let node = nodes[index]
        return UnsafeBufferPointer(rebasing: input[Int(node.start)..<Int(node.start + node.length)])
    }

    /// Whether the number has no fractional part: JSON Schema counts `1.0` as an integer.
    @inlinable
    public func isInteger(_ index: Int) -> Bool {
        if nodes[index].flags & JSONNode.isLexicalInteger != 0 { return true }
        let value = number(index)
        return value.isFinite && value.rounded(.towardZero) == value
    }

    private static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    @usableFromInline
    package static func parseDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        while index < text.count, JSONParser.isDigit(text[index]) {
            if digits < 19 {
                mantissa = mantissa * 10 + UInt64(text[index] &- UInt8(ascii: "0"))
                if mantissa != 0 { digits += 1 }
            } else {
                exponent += 1
            }
            index += 1
        }
        if index < text.count, text[index] == UInt8(ascii: ".") {
            index += 1
            while index < text.count, JSONParser.isDigit(text[index]) {
                if digits < 19 {
                    mantissa = mantissa * 10 + UInt64(text[index] &- UInt8(ascii: "0"))
                    if mantissa != 0 { digits += 1 }
                    exponent -= 1
                }
                index += 1
            }
        }
        var exact = digits <= 15
        if index < text.count {  // exponent part
            index += 1
            var exponentNegative = false
            if text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            while index < text.count {
                if written < 100_000 { written = written * 10 + Int(text[index] &- UInt8(ascii: "0")) }
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        exact = exact && exponent >= -22 && exponent <= 22
        if exact {
            // Clinger's fast path: both factors are exact doubles, so one rounding gives the
            // correctly rounded result.
            let value = Double(mantissa)
            let scaled = exponent < 0 ? value / exactPowersOfTen[-exponent] : value * exactPowersOfTen[exponent]
            return negative ? -scaled : scaled
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            for offset in 0..<text.count { buffer[offset] = CChar(bitPattern: text[offset]) }
            buffer[text.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    // MARK: - Equality

    /// JSON equality of two values of this document: numbers by value (`1 == 1.0`), objects
    /// regardless of member order.
    package func equals(_ a: Int, _ b: Int) -> Bool {
        let left = nodes[a]
        let right = nodes[b]
        guard left.kind == right.kind else { return false }
        switch left.kind {
        case .null, .true, .false: return true
        case .number: return number(a) == number(b)
        case .string: return withString(a) { first in withString(b) { second in first.elementsEqual(second) } }
        case .array:
            guard left.length == right.length else { return false }
            var x = a + 1
            var y = b + 1
            while x < Int(left.end) {
                if !equals(x, y) { return false }
                x = Int(nodes[x].end)
                y = Int(nodes[y].end)
            }
            return true
        case .object:
            guard left.length == right.length else { return false }
            var x = a + 1
            while x < Int(left.end) {
                guard let match = member(of: b, named: x), equals(x + 1, match) else { return false }
                x = Int(nodes[x + 1].end)
            }
            return true
        }
    }

    /// A hash that agrees with ``equals(_:_:)``: numbers by value, strings by their decoded
    /// content, objects regardless of member order.
    package func jsonHash(_ index: Int) -> Int {
        var hasher = Hasher()
        let node = nodes[index]
        hasher.combine(node.kind.rawValue)
        switch node.kind {
        case .null, .true, .false: break
        case .number:
            let value = number(index)
            hasher.combine(value == 0 ? 0 : value)  // -0 equals 0
        case .string: withString(index) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        case .array:
            var child = index + 1
            while child < Int(node.end) {
                hasher.combine(jsonHash(child))
                child = Int(nodes[child].end)
            }
        case .object:
            var members = 0
            var child = index + 1
            while child < Int(node.end) {
                // Order-insensitive: the members' hashes are summed.
                members &+= jsonHash(child) &* 31 &+ jsonHash(child + 1)
                child = Int(nodes[child + 1].end)
            }
            hasher.combine(members)
        }
        return hasher.finalize()
    }

    /// The value of the member of `object` whose key equals the key node `key` (last one wins).
    private func member(of object: Int, named key: Int) -> Int? {
        var found: Int?
        var index = object + 1
        while index < Int(nodes[object].end) {
            if withString(key, { first in withString(index) { second in first.elementsEqual(second) } }) {
                found = index + 1
            }
            index = Int(nodes[index + 1].end)
        }
        return found
    }

    /// JSON equality between a value of this document and a schema's `const` or `enum` value.
    package func equals(_ index: Int, _ value: JSONValue) -> Bool {
        let node = nodes[index]
        switch (node.kind, value) {
        case (.null, .null): return true
        case (.true, .bool(true)), (.false, .bool(false)): return true
        case (.number, .number(let number)): return self.number(index) == number.value
        case (.string, .string(let string)):
            var string = string
            return string.withUTF8 { expected in withString(index) { $0.elementsEqual(expected) } }
        case (.array, .array(let elements)):
            guard Int(node.length) == elements.count else { return false }
            var child = index + 1
            for element in elements {
                if !equals(child, element) { return false }
                child = Int(nodes[child].end)
            }
            return true
        case (.object, .object(let object)):
            guard Int(node.length) == object.count else { return false }
            var child = index + 1
            while child < Int(node.end) {
                guard let expected = object[string(child)], equals(child + 1, expected) else { return false }
                child = Int(nodes[child + 1].end)
            }
            return true
        default:
            return false
        }
    }

    // MARK: - Conversion

    /// The subtree at `index` as a ``JSONValue``.
    package func value(_ index: Int = 0) -> JSONValue {
        let node = nodes[index]
        switch node.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .number:
            let text = String(decoding: numberText(index), as: UTF8.self)
            return .number(JSONNumber(text: text, value: number(index)))
        case .string: return .string(string(index))
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(Int(node.length))
            var child = index + 1
            while child < Int(node.end) {
                elements.append(value(child))
                child = Int(nodes[child].end)
            }
            return .array(elements)
        case .object:
            var members: [JSONObject.Member] = []
            members.reserveCapacity(Int(node.length))
            var child = index + 1
            while child < Int(node.end) {
                members.append(JSONObject.Member(key: string(child), value: value(child + 1)))
                child = Int(nodes[child + 1].end)
            }
            return .object(JSONObject(members: members))
        }
    }
}
