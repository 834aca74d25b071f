/// Parses JSON text (RFC 8259, strict) into a flat array of ``JSONNode``s.
///
/// Strict means: UTF-8 is checked, control characters in strings, leading zeros, trailing commas
/// and trailing data are errors, nesting deeper than ``maximumDepth`` is an error. Nothing is
/// copied or decoded: strings and numbers stay in the input, and are decoded only if a keyword
/// needs their value.
@_spi(ParsedDocument) public struct JSONParser {
    /// Deep enough for any event, shallow enough that the recursion cannot exhaust the stack.
    package static let maximumDepth = 512

    /// The most nodes a text of `byteCount` bytes can produce: every node consumes at least one
    /// byte, so a buffer this big never overflows.
    public static func nodeCapacity(forByteCount byteCount: Int) -> Int { byteCount + 1 }

    /// Thrown (as offset -1) when the nodes do not fit the buffer given; the caller retries
    /// with a buffer of ``nodeCapacity(forByteCount:)``.
    public static let bufferFull = JSONParseError(offset: -1, reason: "node buffer full")

    private let input: UnsafePointer<UInt8>
    private let count: Int
    private let nodes: UnsafeMutablePointer<JSONNode>
    private let capacity: Int
    private var position = 0
    private var nodeCount = 0
    private var depth = 0

    /// Parses `input` into `nodes` and returns how many it wrote. The root is node 0. Throws
    /// ``bufferFull`` when `nodes` is too small, which cannot happen with
    /// ``nodeCapacity(forByteCount:)`` nodes.
    public static func parse(
        _ input: UnsafeBufferPointer<UInt8>, into nodes: UnsafeMutableBufferPointer<JSONNode>
    ) throws(JSONParseError) -> Int {
        guard let base = input.baseAddress, input.count > 0 else {
            throw JSONParseError(offset: 0, reason: "empty input")
        }
        var parser = JSONParser(input: base, count: input.count, nodes: nodes.baseAddress!, capacity: nodes.count)
        try parser.parseValue()
        parser.skipWhitespace()
        if parser.position < parser.count {
            throw parser.error("unexpected \(parser.describeCurrent()) after the JSON value")
        }
        return parser.nodeCount
    }

    private init(input: UnsafePointer<UInt8>, count: Int, nodes: UnsafeMutablePointer<JSONNode>, capacity: Int) {
        self.input = input
        self.count = count
        self.nodes = nodes
        self.capacity = capacity
    }

    // MARK: - Values

    private mutating func parseValue() throws(JSONParseError) {
        skipWhitespace()
        guard position < count else { throw error("unexpected end of input, expected a value") }
        switch input[position] {
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "{"): try parseObject()
        case UInt8(ascii: "["): try parseArray()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        case UInt8(ascii: "t"): try parseLiteral("true", kind: .true)
        case UInt8(ascii: "f"): try parseLiteral("false", kind: .false)
        case UInt8(ascii: "n"): try parseLiteral("null", kind: .null)
        default: throw error("unexpected \(describeCurrent()), expected a value")
        }
    }

    private mutating func parseObject() throws(JSONParseError) {
        let index = try beginContainer(.object)
        var members: UInt32 = 0
        skipWhitespace()
        if position < count, input[position] == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                guard position < count, input[position] == UInt8(ascii: "\"") else {
                    throw error(position < count ? "expected a property name in quotes" : "unexpected end of input in an object")
                }
                try parseString()
                skipWhitespace()
                guard position < count, input[position] == UInt8(ascii: ":") else {
                    throw error("expected ':' after a property name")
                }
                position += 1
                try parseValue()
                members += 1
                skipWhitespace()
                guard position < count else { throw error("unexpected end of input in an object") }
                let byte = input[position]
                position += 1
                if byte == UInt8(ascii: "}") { break }
                guard byte == UInt8(ascii: ",") else { throw error("expected ',' or '}'", at: position - 1) }
            }
        }
        endContainer(index, count: members)
    }

    private mutating func parseArray() throws(JSONParseError) {
        let index = try beginContainer(.array)
        var elements: UInt32 = 0
        skipWhitespace()
        if position < count, input[position] == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                try parseValue()
                elements += 1
                skipWhitespace()
                guard position < count else { throw error("unexpected end of input in an array") }
                let byte = input[position]
                position += 1
                if byte == UInt8(ascii: "]") { break }
                guard byte == UInt8(ascii: ",") else { throw error("expected ',' or ']'", at: position - 1) }
            }
        }
        endContainer(index, count: elements)
    }

    private mutating func beginContainer(_ kind: JSONNode.Kind) throws(JSONParseError) -> Int {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        position += 1
        guard nodeCount < capacity else { throw Self.bufferFull }
        let index = nodeCount
        nodes[index] = JSONNode(kind: kind, flags: 0, start: UInt32(truncatingIfNeeded: position - 1), length: 0, end: 0)
        nodeCount += 1
        return index
    }

    private mutating func endContainer(_ index: Int, count: UInt32) {
        depth -= 1
        nodes[index].length = count
        nodes[index].end = UInt32(truncatingIfNeeded: nodeCount)
    }

    private mutating func appendScalar(_ kind: JSONNode.Kind, flags: UInt8, start: Int, length: Int) throws(JSONParseError) {
        guard nodeCount < capacity else { throw Self.bufferFull }
        nodes[nodeCount] = JSONNode(
            kind: kind, flags: flags, start: UInt32(truncatingIfNeeded: start),
            length: UInt32(truncatingIfNeeded: length), end: UInt32(truncatingIfNeeded: nodeCount + 1))
        nodeCount += 1
    }

    private mutating func parseLiteral(_ literal: StaticString, kind: JSONNode.Kind) throws(JSONParseError) {
        let length = literal.utf8CodeUnitCount
        guard count - position >= length,
            memcmp(input + position, literal.utf8Start, length) == 0
        else { throw error("unexpected \(describeCurrent()), expected a value") }
        try appendScalar(kind, flags: 0, start: position, length: length)
        position += length
    }

    // MARK: - Strings

    /// Scans a string, checking escapes and UTF-8. ASCII without escapes, the common case, costs
    /// three comparisons a byte.
    private mutating func parseString() throws(JSONParseError) {
        position += 1
        let start = position
        var flags: UInt8 = 0
        while true {
            guard position < count else { throw error("unterminated string", at: start - 1) }
            let byte = input[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                flags = JSONNode.hasEscapes
                try skipEscape()
            } else if byte < 0x20 {
                throw error("control character U+\(hex(byte)) in a string (escape it)")
            } else if byte < 0x80 {
                position += 1
            } else {
                try skipMultibyteScalar()
            }
        }
        try appendScalar(.string, flags: flags, start: start, length: position - start)
        position += 1
    }

    private mutating func skipEscape() throws(JSONParseError) {
        guard position + 1 < count else { throw error("unterminated string") }
        switch input[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            guard position + 5 < count else { throw error("incomplete \\u escape") }
            for offset in 2...5 where !Self.isHexDigit(input[position + offset]) {
                throw error("\\u must be followed by four hex digits")
            }
            position += 6
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(input[position + 1])))'")
        }
    }

    /// Checks one UTF-8 sequence of two to four bytes (RFC 3629: no overlong forms, no
    /// surrogates, nothing above U+10FFFF).
    private mutating func skipMultibyteScalar() throws(JSONParseError) {
        let lead = input[position]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw error("invalid UTF-8 byte 0x\(hex(lead))")
        }
        guard count - position >= length else { throw error("truncated UTF-8 sequence") }
        let second = input[position + 1]
        guard second >= low, second <= high else { throw error("invalid UTF-8 sequence", at: position + 1) }
        for offset in 2..<length where input[position + offset] & 0xC0 != 0x80 {
            throw error("invalid UTF-8 sequence", at: position + offset)
        }
        position += length
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(JSONParseError) {
        let start = position
        var flags = JSONNode.isLexicalInteger
        if input[position] == UInt8(ascii: "-") { position += 1 }
        guard position < count, Self.isDigit(input[position]) else { throw error("expected a digit") }
        if input[position] == UInt8(ascii: "0") {
            position += 1
            if position < count, Self.isDigit(input[position]) { throw error("leading zeros are not allowed") }
        } else {
            skipDigits()
        }
        if position < count, input[position] == UInt8(ascii: ".") {
            flags = 0
            position += 1
            guard position < count, Self.isDigit(input[position]) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if position < count, input[position] | 0x20 == UInt8(ascii: "e") {
            flags = 0
            position += 1
            if position < count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < count, Self.isDigit(input[position]) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        try appendScalar(.number, flags: flags, start: start, length: position - start)
    }

    private mutating func skipDigits() {
        while position < count, Self.isDigit(input[position]) { position += 1 }
    }

    // MARK: - Helpers

    private mutating func skipWhitespace() {
        while position < count {
            switch input[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    package static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    package static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    private func describeCurrent() -> String {
        guard position < count else { return "end of input" }
        let byte = input[position]
        return byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(hex(byte))"
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }

    private func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? position, reason: reason)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
