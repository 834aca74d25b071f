@testable import AgentBus
import Foundation
@_spi(ParsedDocument) @testable import JSONSchema
import LoanEvents
import Testing

/// What the generic checks need: `Equatable` to compare a decoded value with the original.
private typealias EquatableEvent = TypedEvent & Equatable

/// ``JSONPayloadEncoder`` writes what Foundation's `JSONEncoder` writes with the payload
/// conventions (``EventCoding/makeEncoder()``), byte for byte, and ``JSONPayloadDecoder`` reads
/// it back: the Foundation encoder is the reference throughout.
@Suite("The payload encoder")
struct JSONPayloadEncoderTests {
    /// The new encoder's text.
    static func encoded<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONPayloadEncoder.encode(value), as: UTF8.self)
    }

    /// Foundation's text, with today's settings.
    static func foundation<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try EventCoding.makeEncoder().encode(value), as: UTF8.self)
    }

    /// Checks the bytes equal Foundation's and decode back to `value`, with both decoders.
    static func checkRoundTrip<T: Codable & Equatable>(
        _ value: T, _ label: String = "", sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let text = try encoded(value)
        #expect(text == (try foundation(value)), "\(label)", sourceLocation: sourceLocation)
        #expect(try JSONPayloadDecoder.decode(T.self, from: Array(text.utf8)) == value, "\(label): \(text)", sourceLocation: sourceLocation)
        #expect(try EventCoding.makeDecoder().decode(T.self, from: Data(text.utf8)) == value, "\(label)", sourceLocation: sourceLocation)
    }

    // MARK: - The example system

    @Test("every LoanEvents example encodes as Foundation does, byte for byte, and decodes back equal")
    func loanEvents() throws {
        var count = 0
        for type in LoanEvents.all {
            let equatable = try #require(type as? any EquatableEvent.Type, "\(type) is not Equatable")
            count += try Self.checkExamples(equatable)
        }
        #expect(count >= 10)
    }

    static func checkExamples<E: TypedEvent & Equatable>(_: E.Type) throws -> Int {
        #expect(!E.examples.isEmpty, "\(E.self) has no examples")
        for (offset, example) in E.examples.enumerated() {
            let payload = try example.jsonPayload()
            let reference = [UInt8](try EventCoding.makeEncoder().encode(example))
            #expect(
                payload == reference,
                "\(E.self).examples[\(offset)]:\n\(String(decoding: payload, as: UTF8.self))\nFoundation:\n\(String(decoding: reference, as: UTF8.self))")
            #expect(try E(jsonPayload: payload) == example, "\(E.self).examples[\(offset)] does not decode back equal")
            #expect(try E(jsonPayload: reference) == example)
        }
        return E.examples.count
    }

    // MARK: - Values

    struct Scalars: Codable, Equatable {
        var int: Int, int8: Int8, int16: Int16, int32: Int32, int64: Int64
        var uint: UInt, uint8: UInt8, uint16: UInt16, uint32: UInt32, uint64: UInt64
        var bool: Bool, string: String, double: Double, float: Float
    }

    @Test("every integer width at its extremes, Bool, String, Double and Float")
    func scalars() throws {
        try Self.checkRoundTrip(Scalars(
            int: .max, int8: .max, int16: .max, int32: .max, int64: .max,
            uint: .max, uint8: .max, uint16: .max, uint32: .max, uint64: .max,
            bool: true, string: "x", double: 1.5, float: 2.25))
        try Self.checkRoundTrip(Scalars(
            int: .min, int8: .min, int16: .min, int32: .min, int64: .min,
            uint: 0, uint8: 0, uint16: 0, uint32: 0, uint64: 0,
            bool: false, string: "", double: -0.0, float: -0.0))
        try Self.checkRoundTrip([Int128.max, Int128.min, 0])
        try Self.checkRoundTrip([UInt128.max, 0])
    }

    @Test("Doubles are written as Foundation writes them: description without a trailing .0")
    func doubles() throws {
        var values: [Double] = [
            0, -0.0, 1, -1, 250_000, 18_500.5, 12_380.4, 0.1 + 0.2, 0.18, 4.35, 1e15, 1e15 - 1, 1e15 + 1,
            1e16, 9_007_199_254_740_992, 9_007_199_254_740_994, 1.5e16, 123_456_789_012_345_680, 1e21, 1e22,
            1e-4, 1e-5, 1e-7, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            0.5, -3, 100, 1e300, 2.2250738585072014e-308, 999_999_999_999_999.9,
        ]
        for _ in 0..<2000 {
            // Any significand and sign, exponents from 2^-63 to 2^65.
            let bits = UInt64.random(in: 0...UInt64.max) & ~(0x7FF << 52) | UInt64.random(in: 0x3C0...0x440) << 52
            values.append(Double(bitPattern: bits))
            values.append(Double(Int64.random(in: -2_000_000_000_000_000...2_000_000_000_000_000)))
            values.append((Double.random(in: -1e7...1e7) * 100).rounded() / 100)
        }
        for value in values {
            #expect(try Self.encoded([value]) == (try Self.foundation([value])), "\(value)")
        }
        try Self.checkRoundTrip(values)
        let floats: [Float] = [0, 1, 0.1, 1e20, 16_777_216, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -2.5, 3.4e-30]
        try Self.checkRoundTrip(floats)
    }

    @Test("NaN and infinity are Foundation's invalidValue error, at their coding path")
    func nonFinite() throws {
        struct Holder: Encodable {
            var values: [String: [Double]]
        }
        for value in [Double.nan, .infinity, -.infinity] {
            let error = #expect(throws: EncodingError.self) { try JSONPayloadEncoder.encode(Holder(values: ["a": [1, value]])) }
            guard case .invalidValue(_, let context) = error else { continue }
            #expect(context.codingPath.map(\.stringValue) == ["values", "a", "Index 1"])
            #expect(context.codingPath.last?.intValue == 1)
            #expect(context.debugDescription == "Unable to encode Double.\(value) directly in JSON.")
        }
        #expect(throws: EncodingError.self) { try JSONPayloadEncoder.encode(Float.nan) }
        #expect(throws: EncodingError.self) { try JSONPayloadEncoder.encode(["x": Float.infinity]) }
        #expect(throws: EventCodingError.self) {
            try DecisionMade(applicationId: "A", applicantId: "C", decision: .approved, reason: "r", interestRatePercent: .nan,
                             requiresHumanApproval: false, decidedAt: Date()).jsonPayload()
        }
    }

    @Test("strings: quotes, backslashes and control characters escaped as Foundation does; / and non-ASCII as they are")
    func escapes() throws {
        let controls = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let strings = [
            "plain", "", "quote \" and backslash \\", "slash / stays", "tab\tnewline\nreturn\r",
            "\u{8}\u{C}", controls, "DEL \u{7F}", "é ü ß 漢字", "emoji 😀👍🏽", "\u{2028}\u{2029}", "a\u{0}b",
        ]
        for string in strings {
            try Self.checkRoundTrip([string], string.debugDescription)
        }
        #expect(try Self.encoded(["a/b"]) == #"["a/b"]"#)
        #expect(try Self.encoded(["\u{1}\u{1F}"]) == #"["\u0001\u001f"]"#)
        // Keys are escaped too, and sorted by their unescaped bytes.
        try Self.checkRoundTrip(["q\"uote": 1, "back\\slash": 2, "new\nline": 3, "é": 4])
    }

    @Test("the eight-bytes-at-a-time escape check agrees with the byte-by-byte one")
    func escapeCheck() {
        func plain(_ bytes: [UInt8]) -> Bool { bytes.contains(where: JSONPayloadEncoderStorage.mayNeedEscape) }
        // Every byte value at every position of a 17-byte string (two words and a tail), on
        // backgrounds that make borrows and high bits likely.
        for background: UInt8 in [UInt8(ascii: "a"), 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF] {
            for position in 0..<17 {
                for byte in UInt8.min...UInt8.max {
                    var bytes = [UInt8](repeating: background, count: 17)
                    bytes[position] = byte
                    let fast = bytes.withUnsafeBufferPointer(JSONPayloadEncoderStorage.needsEscaping)
                    if fast != plain(bytes) {
                        Issue.record("byte 0x\(String(byte, radix: 16)) at \(position) on 0x\(String(background, radix: 16))")
                    }
                }
            }
        }
        for _ in 0..<10_000 {
            let bytes = (0..<Int.random(in: 0...40)).map { _ in UInt8.random(in: 0x1C...0xFF) }
            #expect(bytes.withUnsafeBufferPointer(JSONPayloadEncoderStorage.needsEscaping) == plain(bytes), "\(bytes)")
        }
    }

    @Test("keys are sorted byte-wise in UTF-8, as Foundation sorts them")
    func keyOrder() throws {
        let keys = [
            "b", "a", "B", "_", "a10", "a2", "aB", "aa", "", "Z", "é", "e", "f", "ab", "0", "~", "😀", "日本",
            // Longer than the eight bytes compared at once, alike in them, and with NUL bytes.
            "applicationId", "applicantId", "applicationIdX", "applicati", "applicat", "applica", "ab\u{0}", "ab\u{0}\u{0}",
        ]
        let dictionary = Dictionary(keys.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { $1 })
        try Self.checkRoundTrip(dictionary)
        #expect(try Self.encoded(["b": 1, "B": 2, "a": 3, "_": 4]) == #"{"B":2,"_":4,"a":3,"b":1}"#)
        try Self.checkRoundTrip([10: "ten", 2: "two", -1: "minus one"])
    }

    struct WithOptionals: Codable, Equatable {
        var name: String?
        var count: Int?
        var money: Money?
        var list: [Int?]?
    }

    @Test("nil optionals are left out; nil in arrays is null")
    func optionals() throws {
        #expect(try Self.encoded(WithOptionals()) == "{}")
        try Self.checkRoundTrip(WithOptionals())
        try Self.checkRoundTrip(WithOptionals(name: "n", count: 0, money: .eur(1), list: [1, nil, 3]))
        #expect(try Self.encoded(WithOptionals(list: [nil])) == #"{"list":[null]}"#)
    }

    struct Point: Codable, Equatable {
        var x: Int
        var y: Double
    }

    struct Shapes: Codable, Equatable {
        var polygons: [[Point]]
        var named: [String: [Point]]
        var empty: [Point]
        var emptyObject: [String: Int]
    }

    @Test("nested arrays and objects of structs")
    func nesting() throws {
        try Self.checkRoundTrip(Shapes(
            polygons: [[Point(x: 1, y: 2.5), Point(x: -3, y: 0)], [], [Point(x: 0, y: 1e-3)]],
            named: ["b": [Point(x: 1, y: 1)], "a": []], empty: [], emptyObject: [:]))
    }

    enum Color: String, Codable { case red, lightBlue = "light-blue" }
    enum Level: Int, Codable { case low = 1, high = 10 }

    struct Palette: Codable, Equatable {
        var color: Color
        var level: Level
        var colors: [Color]
        var levels: [String: Level]
    }

    @Test("enums with raw values, single and in containers")
    func enums() throws {
        try Self.checkRoundTrip(Palette(color: .lightBlue, level: .high, colors: [.red, .lightBlue], levels: ["x": .low]))
        try Self.checkRoundTrip(Color.red)
        try Self.checkRoundTrip(Level.low)
    }

    struct Stamped: Codable, Equatable {
        var at: Date
        var optional: Date?
        var all: [Date]
    }

    @Test("dates: RFC 3339 with milliseconds, truncated, as the Foundation strategy wrote them")
    func dates() throws {
        let instants: [Double] = [0, 1_795_252_530, 1_795_252_530.123, 1.2345, -0.0005, -86_400.5, 253_402_300_799.999, -62_167_219_200]
        for seconds in instants {
            let value = Stamped(at: Date(timeIntervalSince1970: seconds), optional: nil, all: [Date(timeIntervalSince1970: seconds)])
            #expect(try Self.encoded(value) == (try Self.foundation(value)), "\(seconds)")
            let decoded = try JSONPayloadDecoder.decode(Stamped.self, from: JSONPayloadEncoder.encode(value))
            let milliseconds = (seconds * 1000).rounded(.down)
            #expect(decoded.at == Date(timeIntervalSince1970: milliseconds / 1000), "\(seconds)")
        }
        #expect(try Self.encoded(Date(timeIntervalSince1970: 1_795_252_530.123)) == #""2026-11-21T09:15:30.123Z""#)
        try Self.checkRoundTrip(Stamped(
            at: Date(timeIntervalSince1970: 1_795_252_530.5), optional: Date(timeIntervalSince1970: 0), all: []))
        // Years RFC 3339 cannot hold are still written as EventTime writes them.
        let far = Date(timeIntervalSince1970: 253_402_300_800)
        #expect(try Self.encoded(far) == (try Self.foundation(far)))
        #expect(throws: EncodingError.self) { try JSONPayloadEncoder.encode(Date(timeIntervalSince1970: .infinity)) }
    }

    @Test("URL, Data and Decimal as Foundation writes them")
    func foundationTypes() throws {
        struct Mixed: Codable, Equatable {
            var url: URL
            var data: Data
            var decimal: Decimal
        }
        try Self.checkRoundTrip(Mixed(url: URL(string: "https://example.com/a?b=c")!, data: Data([0, 1, 2, 250, 255]), decimal: Decimal(string: "12.50")!))
    }

    // MARK: - Hand-written Codable

    class Base: Codable, Equatable {
        var id: String

        init(id: String) { self.id = id }

        static func == (lhs: Base, rhs: Base) -> Bool { lhs.id == rhs.id && type(of: lhs) == type(of: rhs) }
    }

    final class Derived: Base {
        var extra: Int

        init(id: String, extra: Int) {
            self.extra = extra
            super.init(id: id)
        }

        enum CodingKeys: String, CodingKey { case extra, parent }

        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            extra = try container.decode(Int.self, forKey: .extra)
            try super.init(from: container.superDecoder())
        }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(extra, forKey: .extra)
            try super.encode(to: container.superEncoder())
        }
    }

    /// A superclass under its own key rather than `super`.
    struct Keyed: Codable, Equatable {
        var base: Base

        enum CodingKeys: String, CodingKey { case parent }

        init(base: Base) { self.base = base }

        init(from decoder: any Decoder) throws {
            base = try Base(from: decoder.container(keyedBy: CodingKeys.self).superDecoder(forKey: .parent))
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try base.encode(to: container.superEncoder(forKey: .parent))
        }
    }

    @Test("superEncoder and superDecoder, keyed and unkeyed")
    func superCoders() throws {
        let derived = Derived(id: "d1", extra: 7)
        #expect(try Self.encoded(derived) == (try Self.foundation(derived)))
        #expect(try Self.encoded(derived) == #"{"extra":7,"super":{"id":"d1"}}"#)
        let decoded = try JSONPayloadDecoder.decode(Derived.self, from: JSONPayloadEncoder.encode(derived))
        #expect(decoded.id == "d1" && decoded.extra == 7)
        try Self.checkRoundTrip(Keyed(base: Base(id: "k")))

        struct UnkeyedSuper: Codable, Equatable {
            var first: Int
            var base: Base
            init(first: Int, base: Base) {
                self.first = first
                self.base = base
            }
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                first = try container.decode(Int.self)
                base = try Base(from: container.superDecoder())
                #expect(container.isAtEnd)
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.unkeyedContainer()
                try container.encode(first)
                try base.encode(to: container.superEncoder())
            }
        }
        try Self.checkRoundTrip(UnkeyedSuper(first: 1, base: Base(id: "u")))
    }

    /// Writes to a nested container after its parent moved on, and asks for containers twice.
    struct Interleaved: Encodable {
        enum Keys: String, CodingKey { case z, nested, a, list }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try container.encode(1, forKey: .z)
            try nested.encode("late", forKey: .z)
            try list.encode(true)
            var again = encoder.container(keyedBy: Keys.self)
            try again.encode(2, forKey: .a)
            var deeper = list.nestedContainer(keyedBy: Keys.self)
            try list.encodeNil()
            try deeper.encode(3, forKey: .a)
            #expect(list.count == 3)
        }
    }

    @Test("containers written in any order give Foundation's bytes")
    func interleaved() throws {
        #expect(try Self.encoded(Interleaved()) == (try Self.foundation(Interleaved())))
        #expect(try Self.encoded(Interleaved()) == #"{"a":2,"list":[true,{"a":3},null],"nested":{"z":"late"},"z":1}"#)
    }

    @Test("a key written twice keeps its last value, as in Foundation")
    func duplicateKeys() throws {
        struct Twice: Encodable {
            enum Keys: String, CodingKey { case k, j }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(1, forKey: .k)
                try container.encode(2, forKey: .j)
                try container.encode("last", forKey: .k)
            }
        }
        #expect(try Self.encoded(Twice()) == (try Self.foundation(Twice())))
        #expect(try Self.encoded(Twice()) == #"{"j":2,"k":"last"}"#)

        /// Big enough for the other sort, with keys written twice and three times.
        struct Many: Encodable {
            struct Key: CodingKey {
                var stringValue: String
                var intValue: Int? { nil }
                init(stringValue: String) { self.stringValue = stringValue }
                init?(intValue _: Int) { nil }
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                for index in (0..<40).reversed() { try container.encode(index, forKey: Key(stringValue: "k\(index)")) }
                try container.encode("second", forKey: Key(stringValue: "k7"))
                try container.encode("second", forKey: Key(stringValue: "k30"))
                try container.encode("third", forKey: Key(stringValue: "k7"))
            }
        }
        #expect(try Self.encoded(Many()) == (try Self.foundation(Many())))
        #expect(try Self.encoded(Many()).contains(#""k7":"third""#))
    }

    @Test("a value that encodes nothing is {} inside a container, and an error at the top")
    func empty() throws {
        struct Nothing: Encodable {
            func encode(to _: any Encoder) throws {}
        }
        #expect(try Self.encoded(["a": Nothing()]) == (try Self.foundation(["a": Nothing()])))
        #expect(try Self.encoded([Nothing()]) == "[{}]")
        #expect(throws: EncodingError.self) { try JSONPayloadEncoder.encode(Nothing()) }
        #expect(throws: EncodingError.self) { try EventCoding.makeEncoder().encode(Nothing()) }
    }

    @Test("top-level scalars and arrays")
    func topLevel() throws {
        try Self.checkRoundTrip("text")
        try Self.checkRoundTrip(42)
        try Self.checkRoundTrip(true)
        try Self.checkRoundTrip([1, 2, 3])
        try Self.checkRoundTrip([[String]]())
        #expect(try Self.encoded(Int?.none) == "null")
    }

    @Test("the encoder reports the coding paths Foundation's does")
    func codingPaths() throws {
        let ours = try PathRecorder.paths { _ = try JSONPayloadEncoder.encode(PathRecorder()) }
        let foundation = try PathRecorder.paths { _ = try EventCoding.makeEncoder().encode(PathRecorder()) }
        #expect(ours == foundation)
        #expect(ours.contains("leaf: branches|-/Index 0|0/leaves|-/Index 1|1"))
    }

    // MARK: - Depth

    /// A value nested `depth` objects deep.
    final class Chain: Codable {
        let next: Chain?

        init(depth: Int) {
            var chain: Chain? = nil
            for _ in 1..<depth { chain = Chain(next: chain) }
            next = chain
        }

        private init(next: Chain?) { self.next = next }

        var depth: Int {
            var count = 1
            var current = next
            while let link = current {
                count += 1
                current = link.next
            }
            return count
        }
    }

    @Test("values nested deeper than the parser reads are an error, not a crash")
    func depth() throws {
        let deepest = try JSONPayloadEncoder.encode(Chain(depth: JSONParser.maximumDepth))
        #expect(try JSONPayloadDecoder.decode(Chain.self, from: deepest).depth == JSONParser.maximumDepth)
        let error = #expect(throws: EncodingError.self) { try JSONPayloadEncoder.encode(Chain(depth: 1000)) }
        if case .invalidValue(_, let context) = error {
            #expect(context.codingPath.count == JSONParser.maximumDepth)
            #expect(context.debugDescription.contains("deeper than 512"))
        }
    }
}

/// Records the coding path each encoder and decoder it meets reports, to compare with
/// Foundation's: nested objects, arrays, dictionaries.
struct PathRecorder: Codable {
    /// What one test saw; a task local, so tests running in parallel keep theirs apart.
    final class Log: @unchecked Sendable {
        var lines: [String] = []
    }

    @TaskLocal static var log: Log?

    struct Leaf: Codable {
        init() {}
        init(from decoder: any Decoder) throws {
            PathRecorder.record("leaf", decoder.codingPath)
            _ = try decoder.singleValueContainer().decode(Int.self)
        }
        func encode(to encoder: any Encoder) throws {
            PathRecorder.record("leaf", encoder.codingPath)
            var container = encoder.singleValueContainer()
            try container.encode(1)
        }
    }

    struct Branch: Codable {
        var leaves: [Leaf] = [Leaf(), Leaf()]
        var named: [String: Leaf] = ["k": Leaf()]
        init() {}
        init(from decoder: any Decoder) throws {
            PathRecorder.record("branch", decoder.codingPath)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            PathRecorder.record("branch container", container.codingPath)
            var list = try container.nestedUnkeyedContainer(forKey: .leaves)
            PathRecorder.record("leaves container", list.codingPath)
            var leaves: [Leaf] = []
            while !list.isAtEnd { leaves.append(try list.decode(Leaf.self)) }
            self.leaves = leaves
            named = try container.decode([String: Leaf].self, forKey: .named)
        }
    }

    var branch = Branch()
    var branches = [Branch()]

    init() {}

    static func record(_ what: String, _ path: [any CodingKey]) {
        log?.lines.append(what + ": " + path.map { "\($0.stringValue)|\($0.intValue.map(String.init) ?? "-")" }.joined(separator: "/"))
    }

    /// The paths recorded while `body` runs.
    static func paths(_ body: () throws -> Void) throws -> [String] {
        let log = Log()
        try $log.withValue(log) { try body() }
        return log.lines
    }
}
