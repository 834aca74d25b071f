import JSONSchema
import Testing

@Suite("The JSON parser")
struct JSONParserTests {
    @Test("reads every kind of value, escapes and numbers as written")
    func values() throws {
        let value = try JSONValue(parsing: #" {"a": [1, -2.50, 3e2, true, false, null], "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "e": {}} "#)
        #expect(value["a"]?.arrayValue?.count == 6)
        #expect(value["a"]?.arrayValue?[1].numberValue?.text == "-2.50")
        #expect(value["a"]?.arrayValue?[2].numberValue?.value == 300)
        #expect(value["s"]?.stringValue == "x\"\\/\u{8}\u{c}\n\r\té😀")
        #expect(value["e"] == .object(JSONObject()))
        #expect(try JSONValue(parsing: value.jsonText) == value)
        #expect(try JSONValue(parsing: "1.0") == .number(JSONNumber(1)), "numbers compare by value")
    }

    @Test("rejects what RFC 8259 rejects, naming the byte", arguments: [
        ("", 0, "empty input"),
        ("{\"a\":1,}", 7, "expected a property name in quotes"),
        ("[1,]", 3, "unexpected ']', expected a value"),
        ("01", 1, "leading zeros are not allowed"),
        ("{\"a\" 1}", 5, "expected ':' after a property name"),
        ("\"a\u{1}\"", 2, "control character U+01 in a string (escape it)"),
        ("\"\\x\"", 1, "invalid escape '\\x'"),
        ("[1] 2", 4, "unexpected '2' after the JSON value"),
        ("tru", 0, "unexpected 't', expected a value"),
        ("\"abc", 0, "unterminated string"),
        ("1.", 2, "expected a digit after '.'"),
    ])
    func rejects(text: String, offset: Int, reason: String) {
        #expect(throws: JSONParseError(offset: offset, reason: reason)) { try JSONValue(parsing: text) }
    }

    @Test("rejects invalid UTF-8 and overlong forms")
    func utf8() throws {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xC0, 0xAF, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xED, 0xA0, 0x80, 0x22]) }  // surrogate
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xE2, 0x82, 0x22]) }  // truncated
        #expect(try JSONValue(parsing: [0x22, 0xE2, 0x82, 0xAC, 0x22]) == .string("€"))
    }

    @Test("stops nesting at 512 levels instead of exhausting the stack")
    func depth() throws {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: String(repeating: "[", count: 100_000)) }
        let deep = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSONValue(parsing: deep) }
    }
}
