import Foundation

/// What one ``JSONPayloadDecoder/decode(_:from:)`` reads: the parsed payload, shared by its
/// decoders and containers, and the coding paths of the values being decoded.
///
/// The payload is parsed once into ``JSONDocument``'s flat node array (on the stack for an event
/// of ordinary size), and values are read from the nodes and the payload bytes directly:
/// nothing is copied except the `String`s handed to the caller. Both buffers are borrowed for
/// the one decode call, so a decoder or container must not be used after the `init(from:)` it
/// was given to returns (which `Decoder` never promises anyway).
final class JSONPayloadDecoderStorage {
    let document: JSONDocument
    /// Unchecked exclusivity, as in ``JSONPayloadEncoderStorage``: an entry is added for every
    /// nested value, and the storage belongs to one decode call on one thread.
    @exclusivity(unchecked) var paths = CodingPathTable(capacity: 16)

    init(document: JSONDocument) {
        self.document = document
    }

    /// The node index that stands for an absent value (`superDecoder(forKey:)` for a key the
    /// object does not have), which reads as null, as with Foundation.
    static let absent = -1

    func kind(_ node: Int) -> JSONNode.Kind { node == Self.absent ? .null : document[node].kind }

    /// The value of the member of `object` named `name`, or nil.
    ///
    /// Of duplicate keys the first counts, as with Foundation's `JSONDecoder` (the schema
    /// validator checks every one). Keys are compared as UTF-8 bytes, escapes decoded.
    func member(named name: String, of object: Int) -> Int? {
        if document[object].length > Self.scannedMemberCount { return indexedMember(named: name, of: object) }
        // An event's object: its members are scanned in order, and most keys differ from the
        // one sought in length, which is compared first.
        var name = name
        return name.withUTF8 { name in
            var index = object + 1
            let end = Int(document[object].end)
            while index < end {
                if document.stringEquals(index, name) { return index + 1 }
                index = Int(document[index + 1].end)
            }
            return nil
        }
    }

    /// Objects with more members than this are looked up through an index. Scanning is quicker
    /// for a struct's few members, but a `Dictionary` looks up every key it has, and scanning
    /// for each would take time quadratic in its size (seconds for a map of 16,000 entries).
    static let scannedMemberCount = 32

    /// The indexes of big objects, by object node: each key's bytes to its first value's node.
    @exclusivity(unchecked) private var indexes: [Int: [[UInt8]: Int]] = [:]

    private func indexedMember(named name: String, of object: Int) -> Int? {
        if let index = indexes[object] { return index[Array(name.utf8)] }
        var index: [[UInt8]: Int] = [:]
        index.reserveCapacity(Int(document[object].length))
        var member = object + 1
        while member < Int(document[object].end) {
            let key = document.withString(member) { Array($0) }
            if index[key] == nil { index[key] = member + 1 }
            member = Int(document[member + 1].end)
        }
        indexes[object] = index
        return index[Array(name.utf8)]
    }

    // MARK: - Scalars

    // Each reader takes the value's coding path as a closure, called only to report an error:
    // building the path costs more than reading the value.

    func bool(_ node: Int, codingPath: () -> [any CodingKey]) throws -> Bool {
        switch kind(node) {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, node, codingPath())
        }
    }

    func string(_ node: Int, codingPath: () -> [any CodingKey]) throws -> String {
        guard kind(node) == .string else { throw mismatch(String.self, node, codingPath()) }
        return document.string(node)
    }

    /// Any JSON number (a `Double` reads `1`, `1.5` and `1e3` alike); one too large for a
    /// `Double` is an error rather than infinity.
    func double(_ node: Int, codingPath: () -> [any CodingKey]) throws -> Double {
        guard kind(node) == .number else { throw mismatch(Double.self, node, codingPath()) }
        let value = document.number(node)
        guard value.isFinite else { throw outOfRange(Double.self, node, codingPath()) }
        return value
    }

    func float(_ node: Int, codingPath: () -> [any CodingKey]) throws -> Float {
        guard kind(node) == .number else { throw mismatch(Float.self, node, codingPath()) }
        // Parsed as a Float from the text: rounding through a Double first could round twice.
        let text = String(decoding: document.numberText(node), as: UTF8.self)
        guard let value = Float(text), value.isFinite else { throw outOfRange(Float.self, node, codingPath()) }
        return value
    }

    /// An integer of type `T`: a JSON number with no fractional part (`300`, and also `3e2` or
    /// `300.0`, as Foundation and JSON Schema count them) that fits `T`. Converted exactly from
    /// the text, never through a `Double`, so 64-bit values above 2^53 come through whole.
    func integer<T: FixedWidthInteger>(_ node: Int, as _: T.Type, codingPath: () -> [any CodingKey]) throws -> T {
        guard kind(node) == .number else { throw mismatch(T.self, node, codingPath()) }
        let text = document.numberText(node)
        if document[node].flags & JSONNode.isLexicalInteger != 0 {
            let negative = text[0] == UInt8(ascii: "-")
            let digits = UnsafeBufferPointer(rebasing: text[(negative ? 1 : 0)...])
            guard let value = Self.accumulate(digits, negative: negative, as: T.self) else {
                throw outOfRange(T.self, node, codingPath())
            }
            return value
        }
        let result: T?? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count + Self.maximumIntegerDigits) {
            digits in
            guard let (negative, count) = Self.integerDigits(text, into: digits) else { return .none }
            return .some(Self.accumulate(UnsafeBufferPointer(rebasing: digits[0..<count]), negative: negative, as: T.self))
        }
        guard let result else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath(), debugDescription: "number \(numberText(node)) is not an integer (expected \(T.self))"))
        }
        guard let value = result else { throw outOfRange(T.self, node, codingPath()) }
        return value
    }

    /// More digits than any `FixedWidthInteger` up to 128 bits has (2^128 has 39).
    private static let maximumIntegerDigits = 40

    /// The value of decimal `digits` (each 0–9 or an ASCII digit), or nil if it overflows `T`.
    /// Negative values are built by subtracting, so `T.min` fits.
    private static func accumulate<T: FixedWidthInteger>(
        _ digits: UnsafeBufferPointer<UInt8>, negative: Bool, as _: T.Type
    ) -> T? {
        var value: T = 0
        for byte in digits {
            let digit = T(byte & 0x0F)  // '0'...'9' and 0...9 alike
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, carry) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow || carry { return nil }
            value = next
        }
        return value
    }

    /// Writes the integer digits of a number written with a fraction or an exponent (`1.5e3`:
    /// 1500) into `digits`; returns its sign and the digit count, or nil if it has a fractional
    /// part. At most ``maximumIntegerDigits`` more digits than the text are written: more
    /// would overflow any type anyway.
    private static func integerDigits(
        _ text: UnsafeBufferPointer<UInt8>, into digits: UnsafeMutableBufferPointer<UInt8>
    ) -> (negative: Bool, count: Int)? {
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index += 1 }
        var count = 0
        var exponent = 0  // of the last digit written
        var fraction = false
        while index < text.count, text[index] | 0x20 != UInt8(ascii: "e") {
            let byte = text[index]
            index += 1
            if byte == UInt8(ascii: ".") {
                fraction = true
                continue
            }
            if fraction { exponent -= 1 }
            if count == 0, byte == UInt8(ascii: "0") { continue }  // leading zeros
            digits[count] = byte
            count += 1
        }
        if index < text.count {  // the exponent; the parser checked its syntax
            index += 1
            let exponentNegative = text[index] == UInt8(ascii: "-")
            if text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") { index += 1 }
            var written = 0
            while index < text.count {
                if written < 100_000 { written = written * 10 + Int(text[index] & 0x0F) }
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }
        if count == 0 { return (negative, 0) }  // zero, however written
        if exponent < 0 {
            // The last -exponent digits are the fraction: all zeros, or not an integer.
            guard -exponent <= count else { return nil }
            for position in count + exponent..<count where digits[position] != UInt8(ascii: "0") { return nil }
            count += exponent
        } else if exponent > 0 {
            // Beyond this many digits the value overflows every type: stop, and let it overflow.
            let zeros = min(exponent, maximumIntegerDigits)
            for position in count..<count + zeros { digits[position] = UInt8(ascii: "0") }
            count += zeros
        }
        return (negative, count)
    }

    // MARK: - Values

    /// Decodes `T` from `node`: the types Foundation's `JSONDecoder` reads its own way directly
    /// (`Date` by the payload convention), anything else by its `init(from:)`. `path` makes the
    /// value's coding path entry; it is called only when a decoder is made or an error reported.
    func decode<T: Decodable>(_: T.Type, at node: Int, path: () -> Int) throws -> T {
        // Comparing metatypes is cheap; trying `as? Date` on every value would not be.
        if T.self == Date.self { return try date(node, codingPath: { codingPath(path) }) as! T }
        if T.self == URL.self { return try url(node, codingPath: { codingPath(path) }) as! T }
        if T.self == Data.self { return try data(node, codingPath: { codingPath(path) }) as! T }
        if T.self == Decimal.self { return try decimal(node, codingPath: { codingPath(path) }) as! T }
        return try T(from: JSONPayloadDecoder(storage: self, node: node, path: path()))
    }

    /// The coding path of the entry `makeEntry` adds.
    private func codingPath(_ makeEntry: () -> Int) -> [any CodingKey] {
        // Not `paths.codingPath(makeEntry())`: that would read `paths` before the entry is added.
        let entry = makeEntry()
        return paths.codingPath(entry)
    }

    /// An RFC 3339 date-time string, to the millisecond: the typed payloads' convention.
    private func date(_ node: Int, codingPath: () -> [any CodingKey]) throws -> Date {
        guard kind(node) == .string else { throw mismatch(Date.self, node, codingPath()) }
        guard let milliseconds = document.withString(node, RFC3339Milliseconds.parse) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath(), debugDescription: "\"\(document.string(node))\" is not an RFC 3339 date-time"))
        }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    private func url(_ node: Int, codingPath: () -> [any CodingKey]) throws -> URL {
        guard let url = URL(string: try string(node, codingPath: codingPath)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath(), debugDescription: "Invalid URL string."))
        }
        return url
    }

    private func data(_ node: Int, codingPath: () -> [any CodingKey]) throws -> Data {
        guard let data = Data(base64Encoded: try string(node, codingPath: codingPath)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath(), debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    private func decimal(_ node: Int, codingPath: () -> [any CodingKey]) throws -> Decimal {
        guard kind(node) == .number else { throw mismatch(Decimal.self, node, codingPath()) }
        guard let decimal = Decimal(string: numberText(node), locale: Locale(identifier: "en_US_POSIX")) else {
            throw outOfRange(Decimal.self, node, codingPath())
        }
        return decimal
    }

    // MARK: - Errors

    /// The value is null, or of another JSON type than `type` needs: Foundation's errors and
    /// wording, so ``EventCoding/describe(_:)`` reads the same.
    func mismatch(_ type: Any.Type, _ node: Int, _ codingPath: [any CodingKey]) -> DecodingError {
        let kind = kind(node)
        if kind == .null {
            return .valueNotFound(type, DecodingError.Context(
                codingPath: codingPath, debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        }
        return .typeMismatch(type, DecodingError.Context(
            codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(Self.describe(kind)) instead."))
    }

    private func outOfRange(_ type: Any.Type, _ node: Int, _ codingPath: [any CodingKey]) -> DecodingError {
        .dataCorrupted(DecodingError.Context(
            codingPath: codingPath, debugDescription: "number \(numberText(node)) does not fit in \(type)"))
    }

    /// The number as written, shortened if it is absurdly long, for messages.
    private func numberText(_ node: Int) -> String {
        let text = document.numberText(node)
        guard text.count > 40 else { return String(decoding: text, as: UTF8.self) }
        return String(decoding: text[0..<20], as: UTF8.self) + "…(\(text.count) characters)"
    }

    /// The JSON type, as Foundation's messages name it.
    static func describe(_ kind: JSONNode.Kind) -> String {
        switch kind {
        case .null: "null"
        case .true, .false: "bool"
        case .number: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }
}
