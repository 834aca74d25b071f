@testable import AgentBus
import Foundation
@testable import JSONSchema
import LoanEvents
import Testing

/// ``JSONPayloadDecoder`` reads payloads as Foundation's `JSONDecoder` did, and its errors name
/// the value's coding path, as ``EventCoding/describe(_:)`` prints it.
@Suite("The payload decoder")
struct JSONPayloadDecoderTests {
    static func decode<T: Decodable>(_: T.Type, _ json: String) throws -> T {
        try JSONPayloadDecoder.decode(T.self, from: Array(json.utf8))
    }

    /// The one-line description of the error decoding `json` as `T` gives, or nil if it decodes.
    static func failure<T: Decodable>(_: T.Type, _ json: String) -> String? {
        do {
            _ = try decode(T.self, json)
            return nil
        } catch let error as DecodingError {
            return EventCoding.describe(error)
        } catch {
            return "not a DecodingError: \(error)"
        }
    }

    struct Numbers: Codable, Equatable {
        var int: Int?
        var int8: Int8?
        var uint8: UInt8?
        var int64: Int64?
        var uint64: UInt64?
        var double: Double?
        var float: Float?
    }

    @Test("integers: exact, from any integral JSON number, in range")
    func integers() throws {
        #expect(try Self.decode(Numbers.self, #"{"int": 742, "int8": -128, "uint8": 255}"#) == Numbers(int: 742, int8: -128, uint8: 255))
        #expect(try Self.decode(Numbers.self, #"{"int64": 9223372036854775807, "uint64": 18446744073709551615}"#)
            == Numbers(int64: .max, uint64: .max))
        #expect(try Self.decode(Numbers.self, #"{"int64": -9223372036854775808}"#).int64 == .min)
        // Above 2^53, where a Double would round.
        #expect(try Self.decode(Numbers.self, #"{"int64": 9007199254740993}"#).int64 == 9_007_199_254_740_993)
        #expect(try Self.decode(Numbers.self, #"{"int64": 9007199254740993.0}"#).int64 == 9_007_199_254_740_993)
        // As Foundation and JSON Schema count integers: no fractional part, however written.
        for (text, value) in [("1.0", 1), ("1e2", 100), ("1.5e1", 15), ("120e-1", 12), ("-0", 0), ("0.0e5", 0), ("-2E+3", -2000)] {
            #expect(try Self.decode(Numbers.self, #"{"int": \#(text)}"#).int == value, "\(text)")
        }
        #expect(try Self.decode(Numbers.self, #"{"uint8": -0}"#).uint8 == 0)
        #expect(try Self.decode([Int128].self, "[170141183460469231731687303715884105727, -170141183460469231731687303715884105728]")
            == [.max, .min])
        #expect(try Self.decode([UInt128].self, "[340282366920938463463374607431768211455]") == [.max])
    }

    @Test("integers out of range or with a fraction are errors at their coding path", arguments: [
        (#"{"int8": 128}"#, "/int8: number 128 does not fit in Int8"),
        (#"{"int8": -129}"#, "/int8: number -129 does not fit in Int8"),
        (#"{"uint8": 256}"#, "/uint8: number 256 does not fit in UInt8"),
        (#"{"uint8": -1}"#, "/uint8: number -1 does not fit in UInt8"),
        (#"{"int": 9223372036854775808}"#, "/int: number 9223372036854775808 does not fit in Int"),
        (#"{"int": 1e19}"#, "/int: number 1e19 does not fit in Int"),
        (#"{"int": 1e999999}"#, "/int: number 1e999999 does not fit in Int"),
        (#"{"uint64": 18446744073709551616}"#, "/uint64: number 18446744073709551616 does not fit in UInt64"),
        (#"{"int": 1.5}"#, "/int: number 1.5 is not an integer (expected Int)"),
        (#"{"int": 0.001}"#, "/int: number 0.001 is not an integer (expected Int)"),
        (#"{"int": 1e-7}"#, "/int: number 1e-7 is not an integer (expected Int)"),
        (#"{"int": 125e-1}"#, "/int: number 125e-1 is not an integer (expected Int)"),
        (#"{"double": 1e400}"#, "/double: number 1e400 does not fit in Double"),
        (#"{"float": 1e39}"#, "/float: number 1e39 does not fit in Float"),
        (#"{"int": "1"}"#, "/int: expected Int"),
        (#"{"int": true}"#, "/int: expected Int"),
        (#"{"double": "1.5"}"#, "/double: expected Double"),
    ])
    func numberErrors(json: String, expected: String) {
        #expect(Self.failure(Numbers.self, json) == expected)
    }

    @Test("an integer error deep in a payload names the whole path")
    func nestedIntegerError() throws {
        struct Item: Codable { var count: UInt16 }
        struct Order: Codable { var items: [Item] }
        #expect(Self.failure(Order.self, #"{"items": [{"count": 1}, {"count": 70000}]}"#) == "/items/1/count: number 70000 does not fit in UInt16")
        #expect(Self.failure([String: [Int8]].self, #"{"a": [1, 2.5]}"#) == "/a/1: number 2.5 is not an integer (expected Int8)")
        #expect(Self.failure([Int].self, "[1, 99999999999999999999]") == "/1: number 99999999999999999999 does not fit in Int")
        let longNumber = "1" + String(repeating: "0", count: 100)
        #expect(Self.failure([Int].self, "[\(longNumber)]") == "/0: number 10000000000000000000…(101 characters) does not fit in Int")
    }

    @Test("Double and Float read any JSON number")
    func floatingPoint() throws {
        #expect(try Self.decode([Double].self, "[1, -0, 0.1, 1e-7, 12380.4, 1.7976931348623157e308, 5e-324, 123456789012345678901234567890]")
            == [1, -0.0, 0.1, 1e-7, 12_380.4, .greatestFiniteMagnitude, .leastNonzeroMagnitude, Double("123456789012345678901234567890")!])
        #expect(try Self.decode([Float].self, "[1, 0.1, 3.4028235e38, 16777217]") == [1, 0.1, .greatestFiniteMagnitude, 16_777_216])
        #expect(try Self.decode([Double].self, "[-0]")[0].sign == .minus)
    }

    struct Profile: Codable, Equatable {
        var name: String
        var nickname: String?
        var age: Int?
        var tags: [String]?
        var money: Money?
    }

    @Test("optionals: a missing key and null are both nil; a present value of the wrong type is an error")
    func optionals() throws {
        #expect(try Self.decode(Profile.self, #"{"name": "a"}"#) == Profile(name: "a"))
        #expect(try Self.decode(Profile.self, #"{"name": "a", "nickname": null, "age": null, "tags": null, "money": null}"#) == Profile(name: "a"))
        #expect(try Self.decode(Profile.self, #"{"name": "a", "nickname": "b", "age": 3, "tags": [], "money": {"amount": 1, "currency": "EUR"}}"#)
            == Profile(name: "a", nickname: "b", age: 3, tags: [], money: .eur(1)))
        #expect(Self.failure(Profile.self, #"{"name": "a", "age": "3"}"#) == "/age: expected Int")
        #expect(Self.failure(Profile.self, #"{"name": "a", "money": []}"#) == "/money: expected Dictionary<String, Any>")
        #expect(Self.failure(Profile.self, #"{"name": "a", "tags": [1]}"#) == "/tags/0: expected String")
        #expect(try Self.decode([Int?].self, "[1, null, 3]") == [1, nil, 3])
    }

    @Test("missing keys, nulls and wrong types are Foundation's errors at their coding path", arguments: [
        (#"{}"#, "/name: missing"),
        (#"{"name": null}"#, "/name: expected String, found null"),
        (#"{"name": 5}"#, "/name: expected String"),
        (#"{"name": "a", "money": {"amount": 1}}"#, "/money/currency: missing"),
        (#"{"name": "a", "money": {"amount": "1", "currency": "EUR"}}"#, "/money/amount: expected Double"),
        (#"[]"#, "/: expected Dictionary<String, Any>"),
        (#"null"#, "/: expected KeyedDecodingContainer<CodingKeys>, found null"),
    ])
    func structuralErrors(json: String, expected: String) {
        #expect(Self.failure(Profile.self, json) == expected)
    }

    @Test("errors are the same kind of DecodingError as Foundation's")
    func errorKinds() throws {
        let cases = [#"{}"#, #"{"name": null}"#, #"{"name": 5}"#, #"[]"#, #"{"name": "a", "tags": [null]}"#]
        for json in cases {
            var ours: DecodingError?
            var foundation: DecodingError?
            do { _ = try Self.decode(Profile.self, json) } catch { ours = error as? DecodingError }
            do { _ = try EventCoding.makeDecoder().decode(Profile.self, from: Data(json.utf8)) } catch { foundation = error as? DecodingError }
            let (mine, theirs) = (try #require(ours), try #require(foundation))
            #expect(EventCoding.describe(mine) == EventCoding.describe(theirs), "\(json)")
        }
    }

    enum Color: String, Codable { case red, lightBlue = "light-blue" }
    enum Level: Int, Codable { case low = 1, high = 10 }

    @Test("enums with raw values; an unknown raw value is an error at its path")
    func enums() throws {
        struct Palette: Codable, Equatable {
            var color: Color
            var levels: [Level]
        }
        #expect(try Self.decode(Palette.self, #"{"color": "light-blue", "levels": [1, 10]}"#) == Palette(color: .lightBlue, levels: [.low, .high]))
        #expect(Self.failure(Palette.self, #"{"color": "green", "levels": []}"#) == "/color: Cannot initialize Color from invalid String value green")
        #expect(Self.failure(Palette.self, #"{"color": "red", "levels": [1, 2]}"#) == "/levels/1: Cannot initialize Level from invalid Int value 2")
        #expect(try Self.decode(Color.self, #""red""#) == .red)
    }

    @Test("dates: RFC 3339 to the millisecond, any offset; anything else an error at its path")
    func dates() throws {
        struct Stamped: Codable { var at: Date }
        let cases: [(String, Double)] = [
            ("2026-11-21T09:15:30Z", 1_795_252_530),
            ("2026-11-21T09:15:30.123Z", 1_795_252_530.123),
            ("2026-11-21T09:15:30.1239Z", 1_795_252_530.123),
            ("2026-11-21T11:15:30.5+02:00", 1_795_252_530.5),
            ("1969-12-31T23:59:59.999Z", -0.001),
        ]
        for (text, seconds) in cases {
            let decoded = try Self.decode(Stamped.self, #"{"at": "\#(text)"}"#)
            #expect(decoded.at == Date(timeIntervalSince1970: (seconds * 1000).rounded() / 1000), "\(text)")
            let foundation = try EventCoding.makeDecoder().decode(Stamped.self, from: Data(#"{"at": "\#(text)"}"#.utf8))
            #expect(decoded.at == foundation.at, "\(text)")
        }
        // An escaped letter still reads as the same text.
        #expect(try Self.decode(Stamped.self, #"{"at": "2026-11-21T09:15:30\u005A"}"#).at == Date(timeIntervalSince1970: 1_795_252_530))
        #expect(Self.failure(Stamped.self, #"{"at": "2026-11-21"}"#) == #"/at: "2026-11-21" is not an RFC 3339 date-time"#)
        #expect(Self.failure(Stamped.self, #"{"at": 1795252530}"#) == "/at: expected Date")
        #expect(Self.failure(Stamped.self, #"{"at": null}"#) == "/at: expected Date, found null")
        #expect(Self.failure([Date].self, #"["2026-02-30T00:00:00Z"]"#) == #"/0: "2026-02-30T00:00:00Z" is not an RFC 3339 date-time"#)
    }

    @Test("strings: every escape, UTF-8 as it is")
    func strings() throws {
        let json = #"["x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "é😀 /", "", "\u0000", "\ud800"]"#
        #expect(try Self.decode([String].self, json) == ["x\"\\/\u{8}\u{c}\n\r\té😀", "é😀 /", "", "\u{0}", "\u{FFFD}"])
        // Escaped keys match the Swift names.
        struct Keyed: Codable { var name: String }
        #expect(try Self.decode(Keyed.self, #"{"n\u0061me": "escaped"}"#).name == "escaped")
    }

    @Test("unknown keys are ignored; of duplicate keys the first counts, as with Foundation")
    func keys() throws {
        struct Small: Codable, Equatable { var a: Int }
        #expect(try Self.decode(Small.self, #"{"z": [1, {"a": 2}], "a": 1, "b": {"a": 3}}"#) == Small(a: 1))
        let duplicated = #"{"a": 1, "a": 2}"#
        #expect(try Self.decode(Small.self, duplicated) == (try EventCoding.makeDecoder().decode(Small.self, from: Data(duplicated.utf8))))
        #expect(try Self.decode(Small.self, duplicated).a == 1)
    }

    @Test("big objects are looked up through an index: same answers, first of duplicates, time linear in size")
    func bigObjects() throws {
        let size = JSONPayloadDecoderStorage.scannedMemberCount + 8
        var members = (0..<size).map { #""key-\#($0)": \#($0)"# }
        members += [#""key-3": -1"#, #""a": 1"#, #""\u0061b": 2"#, #""é": 3"#]  // a duplicate, escaped keys
        let json = "{" + members.joined(separator: ", ") + "}"
        let foundation = try EventCoding.makeDecoder().decode([String: Int].self, from: Data(json.utf8))
        let ours = try Self.decode([String: Int].self, json)
        #expect(ours == foundation)
        #expect(ours["key-3"] == 3 && ours["ab"] == 2 && ours["é"] == 3)
        // A struct read from a big object finds its keys through the index too.
        struct Small: Codable, Equatable { var a: Int; var ab: Int; var missing: Int? }
        #expect(try Self.decode(Small.self, json) == Small(a: 1, ab: 2))
        #expect(Self.failure([String: String].self, json) == "/key-0: expected String")

        // 50,000 entries, written and read back: under a second in a debug build, where sorting
        // the keys by insertion and scanning for each key took minutes.
        let big = Dictionary(uniqueKeysWithValues: (0..<50_000).map { ("entry-\($0)", $0) })
        let clock = ContinuousClock()
        let start = clock.now
        let bytes = try JSONPayloadEncoder.encode(big)
        #expect(try JSONPayloadDecoder.decode([String: Int].self, from: bytes) == big)
        #expect(clock.now - start < .seconds(20))
        #expect(bytes == [UInt8](try EventCoding.makeEncoder().encode(big)))
    }

    @Test("dictionaries, nested arrays and keyed containers")
    func containers() throws {
        #expect(try Self.decode([String: [Int]].self, #"{"b": [1], "a": []}"#) == ["b": [1], "a": []])
        #expect(try Self.decode([Int: String].self, #"{"2": "x", "10": "y"}"#) == [2: "x", 10: "y"])
        #expect(try Self.decode([[[Int]]].self, "[[[1], []], []]") == [[[1], []], []])
        #expect(Self.failure([[Int]].self, "[[1], {}]") == "/1: expected Array<Any>")
        #expect(Self.failure([Int].self, "null") == "/: expected UnkeyedDecodingContainer, found null")
    }

    @Test("the unkeyed container: count, isAtEnd, decodeNil, at the end, and no move on a failed decode")
    func unkeyed() throws {
        struct Flexible: Decodable {
            var values: [String] = []
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                #expect(container.count == 4)
                while !container.isAtEnd {
                    if try container.decodeNil() {
                        values.append("nil")
                    } else if let number = try? container.decode(Int.self) {
                        values.append("int \(number)")
                    } else {
                        values.append(try container.decode(String.self))
                    }
                }
                #expect(container.currentIndex == 4)
                let error = #expect(throws: DecodingError.self) { try container.decode(Int.self) }
                #expect(error.map(EventCoding.describe) == "/4: expected Int, found null")
            }
        }
        #expect(try Self.decode(Flexible.self, #"[1, "two", null, 4]"#).values == ["int 1", "two", "nil", "int 4"])
    }

    @Test("the decoder reports the coding paths Foundation's does")
    func codingPaths() throws {
        let bytes = try JSONPayloadEncoder.encode(PathRecorder())
        let ours = try PathRecorder.paths { _ = try JSONPayloadDecoder.decode(PathRecorder.self, from: bytes) }
        let foundation = try PathRecorder.paths { _ = try EventCoding.makeDecoder().decode(PathRecorder.self, from: Data(bytes)) }
        #expect(ours == foundation)
        #expect(ours.contains("leaf: branches|-/Index 0|0/leaves|-/Index 1|1"))
    }

    @Test("URL, Data and Decimal as Foundation reads them")
    func foundationTypes() throws {
        struct Mixed: Codable, Equatable {
            var url: URL
            var data: Data
            var decimal: Decimal
        }
        let json = #"{"url": "https:\/\/example.com\/a", "data": "AAEC+v8=", "decimal": 12.50}"#
        #expect(try Self.decode(Mixed.self, json) == (try EventCoding.makeDecoder().decode(Mixed.self, from: Data(json.utf8))))
        #expect(Self.failure(Mixed.self, #"{"url": "x", "data": "not base64!", "decimal": 1}"#) == "/data: Encountered Data is not valid Base64.")
    }

    @Test("text that is not JSON is a dataCorrupted error with the parser's message")
    func invalidJSON() throws {
        #expect(Self.failure(Profile.self, "") == "/: invalid JSON at byte 0: empty input")
        #expect(Self.failure(Profile.self, #"{"name": "a",}"#) == "/: invalid JSON at byte 13: expected a property name in quotes")
        #expect(Self.failure(Profile.self, #"{"name": "a"} x"#) == "/: invalid JSON at byte 14: unexpected 'x' after the JSON value")
    }

    @Test("1,000 levels of nesting are a clean error, not a crash; 512 are read")
    func depth() throws {
        let deep = String(repeating: #"{"next":"#, count: 1000) + "null" + String(repeating: "}", count: 1000)
        #expect(Self.failure(JSONPayloadEncoderTests.Chain.self, deep) == "/: invalid JSON at byte 4096: nesting deeper than 512 levels")
        #expect(Self.failure([JSONValueBox].self, String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000))?
            .hasSuffix("nesting deeper than 512 levels") == true)
        let deepest = String(repeating: #"{"next":"#, count: 511) + "{}" + String(repeating: "}", count: 511)
        #expect(try Self.decode(JSONPayloadEncoderTests.Chain.self, deepest).depth == 512)
        // Through the public API: the payload error in one line.
        let error = #expect(throws: EventCodingError.self) { try CreditChecked(jsonPayload: Array(deep.utf8)) }
        #expect(error?.message == "cannot decode dev.agentbus.loan.credit.checked.v1: /: invalid JSON at byte 4096: nesting deeper than 512 levels")
    }

    /// Anything, for the nesting test.
    struct JSONValueBox: Decodable {}

    @Test("TypedEvent errors keep their one-line messages")
    func eventErrors() throws {
        var payload = try #require(try JSONValue(parsing: CreditChecked.examples[0].jsonPayload()).objectValue)
        payload["score"] = .string("high")
        let error = #expect(throws: EventCodingError.self) { try CreditChecked(jsonPayload: Array(JSONValue.object(payload).jsonText.utf8)) }
        #expect(error?.message == "cannot decode dev.agentbus.loan.credit.checked.v1: /score: expected Int")
        payload["score"] = nil
        let missing = #expect(throws: EventCodingError.self) { try CreditChecked(jsonPayload: Array(JSONValue.object(payload).jsonText.utf8)) }
        #expect(missing?.message == "cannot decode dev.agentbus.loan.credit.checked.v1: /score: missing")
    }
}
