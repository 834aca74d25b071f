import JSONSchema
import Testing

@Suite("String.oneLine: text safe to print on one line")
struct OneLineTests {
    @Test("plain text, backslashes and non-ASCII are kept as written")
    func unchanged() {
        for text in ["", "plain", #"back\slash \n"#, "é😀 · ✓"] {
            #expect(text.oneLine == text)
        }
    }

    @Test("line breaks and terminal controls are escaped as in JSON")
    func escaped() {
        #expect("a\nb\r\nc\td".oneLine == #"a\nb\r\nc\td"#)
        #expect("red\u{1b}[31m".oneLine == #"red\u001b[31m"#)
        #expect("\u{0}\u{7F}".oneLine == #"\u0000\u007f"#)
        #expect("csi\u{9B}1m next\u{85}line".oneLine == #"csi\u009b1m next\u0085line"#)
        #expect("para\u{2028}graph\u{2029}".oneLine == #"para\u2028graph\u2029"#)
    }
}
