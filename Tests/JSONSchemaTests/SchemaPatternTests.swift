@testable import JSONSchema
import Foundation
import Testing

@Suite("SchemaPattern: ECMA-262 patterns for JSON Schema")
struct SchemaPatternTests {
    /// Compiles `pattern` (failing the test if it does not compile) and runs it on `input`.
    private func match(_ pattern: String, _ input: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        do {
            return try SchemaPattern(pattern).matches(input)
        } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
            return false
        }
    }

    private func compileError(_ pattern: String) -> SchemaPatternError? {
        do {
            _ = try SchemaPattern(pattern)
            return nil
        } catch {
            return error
        }
    }

    @Test("a search, not a full match: ^ and $ anchor at the ends of the whole string")
    func anchoring() {
        #expect(match("abc", "xxabcxx"))
        #expect(match("a+", "xxaayy"))
        #expect(!match("^abc", "xabc"))
        #expect(match("^abc", "abcx"))
        #expect(match("abc$", "xabc"))
        #expect(!match("abc$", "abcx"))
        #expect(!match("^abc$", "abc\n"))  // $ does not match before a trailing newline
        #expect(!match("^abc$", "x\nabc"))  // no multiline flag
        #expect(match("^$", ""))
        #expect(!match("^$", "a"))
        #expect(match("^a|b$", "xxb"))  // only one branch is anchored
        #expect(match("(?:^a|^b)c", "bc"))
        #expect(!match("(?:^a|^b)c", "xbc"))
    }

    @Test("the empty pattern matches everything")
    func emptyPattern() {
        #expect(match("", ""))
        #expect(match("", "anything"))
        #expect(match("()", "x"))
        #expect(match("a|", "zzz"))
    }

    @Test("character classes, ranges and negation")
    func classes() {
        #expect(match("^[a-c]+$", "abcba"))
        #expect(!match("^[a-c]+$", "abcd"))
        #expect(match("^[^0-9]+$", "abc"))
        #expect(!match("^[^0-9]+$", "ab1"))
        #expect(match("^[a-]$", "-"))
        #expect(match("^[-a]$", "-"))
        #expect(match("^[a-z-0]+$", "a-0"))
        #expect(match("^[\\d-]+$", "12-34"))
        #expect(match("^[.]$", "."))
        #expect(!match("^[.]$", "x"))
        #expect(match("^[\\]\\[]+$", "]["))
        #expect(match("^[\\w.%+-]+$", "a.b%c+d-e_1"))
        #expect(!match("[]", "anything"))  // the empty class matches nothing
        #expect(match("^[^]$", "\n"))  // and its negation any one scalar
        #expect(match("^[\\b]$", "\u{8}"))  // \b in a class is backspace
        #expect(match("^[é-ë]+$", "éêë"))
        #expect(!match("^[é-ë]+$", "e"))
        #expect(match("^[^a]$", "🐲"))
        #expect(match("^[🐲🐉]+$", "🐉🐲"))
        #expect(match("^[\\u{1F400}-\\u{1F4FF}]$", "🐲"))
        #expect(match("^[^\\s\\d]+$", "abc"))
        #expect(!match("^[^\\s\\d]+$", "a c"))
    }

    @Test("\\d \\w \\s and their negations use the ECMA-262 (ASCII, WhiteSpace) definitions")
    func classEscapes() {
        #expect(match("^\\d+$", "0123456789"))
        #expect(!match("^\\d$", "\u{07C0}"))  // NKo digit zero
        #expect(match("^\\D$", "\u{07C0}"))
        #expect(match("^\\w+$", "Az09_"))
        #expect(!match("^\\w$", "é"))
        #expect(match("^\\W$", "é"))
        for space in ["\t", "\n", "\u{B}", "\u{C}", "\r", " ", "\u{A0}", "\u{1680}", "\u{2003}", "\u{2028}", "\u{2029}",
                      "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}"] {
            #expect(match("^\\s$", space), "\\s should match U+\(String(space.unicodeScalars.first?.value ?? 0, radix: 16))")
            #expect(!match("^\\S$", space))
        }
        #expect(!match("^\\s$", "\u{1}"))
        #expect(!match("^\\s$", "\u{2013}"))
        #expect(match("^\\S$", "\u{2013}"))
    }

    @Test("escapes")
    func escapes() {
        #expect(match("^\\t\\n\\r\\f\\v$", "\t\n\r\u{C}\u{B}"))
        #expect(!match("^\\t$", "\\t"))
        #expect(match("^\\0$", "\u{0}"))
        #expect(match("^\\/\\\\\\.\\-\\$\\^\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|$", "/\\.-$^*+?()[]{}|"))
        #expect(!match("^\\.$", "x"))
        #expect(match("^\\cJ\\cj$", "\n\n"))
        #expect(match("^\\cC$", "\u{3}"))
        #expect(match("^\\x41\\x7e$", "A~"))
        #expect(match("^\\u0041\\u00e9$", "Aé"))
        #expect(match("^\\u{1F432}$", "🐲"))
        #expect(match("^\\u{41}$", "A"))
        #expect(match("^\\uD83D\\uDE00$", "😀"))  // a surrogate pair is one scalar
        #expect(match("^[\\uD83D\\uDE00]$", "😀"))
        #expect(!match("\\uD83D", "😀"))  // a lone surrogate matches nothing in valid UTF-8
        #expect(match("^\\@\\#$", "@#"))  // escaped punctuation is taken literally (lenient)
    }

    @Test("quantifiers, counted and lazy")
    func quantifiers() {
        let counted = try? SchemaPattern("^a{2,4}$")
        #expect(counted != nil)
        #expect((0 ... 6).map { counted?.matches(String(repeating: "a", count: $0)) ?? false }
            == [false, false, true, true, true, false, false])
        #expect(match("^a{3}$", "aaa"))
        #expect(!match("^a{3}$", "aa"))
        #expect(match("^a{2,}$", "aaaaaaa"))
        #expect(!match("^a{2,}$", "a"))
        #expect(match("^a{0}b$", "b"))
        #expect(match("^ab?c$", "ac"))
        #expect(match("^ab?c$", "abc"))
        #expect(!match("^ab?c$", "abbc"))
        #expect(match("^ab*c$", "ac"))
        #expect(match("^ab*c$", "abbbc"))
        #expect(!match("^ab+c$", "ac"))
        #expect(match("^ab+c$", "abbc"))
        // Laziness does not change whether there is a match.
        #expect(match("^a+?$", "aaa"))
        #expect(match("^a*?b$", "aab"))
        #expect(match("^a??b$", "ab"))
        #expect(match("^a{2,4}?$", "aaaa"))
        #expect(!match("^a{2,4}?$", "aaaaa"))
        #expect(match("^(?:ab){2}$", "abab"))
        #expect(match("^[A-Z]{3}-[0-9]{6}$", "ABC-123456"))
        #expect(!match("^[A-Z]{3}-[0-9]{6}$", "ABC-12345"))
        #expect(match("^🐲*$", "🐲🐲"))
        #expect(match("^🐲*$", ""))
        #expect(!match("^🐲*$", "🐲x"))
        #expect(match("^(?:){1000000000}$", ""))  // an empty body is not copied a billion times
        // Near the size limit the matcher's state no longer fits comfortably on the stack.
        let large = try? SchemaPattern("^a{9000}$")
        #expect(large?.matches(String(repeating: "a", count: 9000)) == true)
        #expect(large?.matches(String(repeating: "a", count: 8999)) == false)
        #expect(match("^(?:a{0,3}){2}b$", "aaaab"))
    }

    @Test("alternation and groups")
    func alternationAndGroups() {
        #expect(match("^(cat|dog)$", "dog"))
        #expect(!match("^(cat|dog)$", "cow"))
        #expect(match("^(?:ab|cd)+$", "abcdab"))
        #expect(!match("^(?:ab|cd)+$", "abc"))
        #expect(match("^(?<year>\\d{4})-(?<month>\\d{2})$", "2024-05"))
        #expect(match("^(a|b|c|)$", ""))
        #expect(match("^((a)|(b(c|d)))+$", "abcabd"))
        #expect(match("^(?:a|ab)(?:c|bcd)(?:d*)$", "abcd"))
    }

    @Test(". matches one scalar, but not a line terminator")
    func dot() {
        #expect(match("^.$", "é"))  // one scalar, two bytes
        #expect(match("^.$", "🐲"))  // one scalar, four bytes
        #expect(!match("^..$", "🐲"))
        #expect(match("^...$", "a🐲é"))
        for terminator in ["\n", "\r", "\u{2028}", "\u{2029}"] {
            #expect(!match(".", terminator))
        }
        #expect(match("^.$", "\t"))
        #expect(match("a.c", "xxa\u{85}cxx"))
    }

    @Test("\\b and \\B are ASCII word boundaries")
    func wordBoundaries() {
        #expect(match("\\bcat\\b", "a cat."))
        #expect(!match("\\bcat\\b", "concat"))
        #expect(match("\\bcat\\b", "cat"))
        #expect(match("\\Bcat", "concat"))
        #expect(!match("\\Bcat", "cat"))
        #expect(match("\\bcat", "écat"))  // é is not a word character in ECMA-262
        #expect(match("^\\b$", "") == false)
        #expect(match("^\\B$", ""))
    }

    @Test("Unicode General_Category properties")
    func properties() {
        #expect(match("^\\p{L}+$", "Héllo"))
        #expect(match("^\\p{Letter}+$", "π"))
        #expect(!match("^\\p{L}+$", "123"))
        #expect(match("^\\p{Lu}\\p{Ll}+$", "Éa"))
        #expect(match("^\\P{L}+$", "123"))
        #expect(match("^\\p{Nd}+$", "\u{09EA}\u{09E8}"))  // Bengali digits
        #expect(match("^\\p{digit}+$", "42"))
        #expect(match("^\\p{gc=Nd}$", "7"))
        #expect(match("^\\p{General_Category=Decimal_Number}$", "7"))
        #expect(match("^[\\p{N}x]+$", "x1x²"))
        #expect(!match("^[^\\p{L}]$", "é"))
        #expect(match("^[^\\p{L}]$", "1"))
        #expect(match("^\\p{Any}$", "\n"))
        #expect(match("^\\p{ASCII}+$", "abc"))
        #expect(!match("^\\p{ASCII}$", "é"))
    }

    @Test("the official suite's bytes go through matches(UnsafeBufferPointer) unchanged")
    func bufferEntryPoint() throws {
        let pattern = try SchemaPattern("^.é$")
        #expect(Array("xé".utf8).withUnsafeBufferPointer { pattern.matches($0) })
        #expect(try SchemaPattern("").matches(UnsafeBufferPointer(start: nil, count: 0)))
        #expect(try !SchemaPattern("a").matches(UnsafeBufferPointer(start: nil, count: 0)))
    }

    @Test("equality and hashing are by source text")
    func hashable() throws {
        let a = try SchemaPattern("^a+$"), b = try SchemaPattern("^a+$"), c = try SchemaPattern("^a*$")
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
    }

    @Test("linear time: no backtracking blow-up")
    func pathological() throws {
        let input = String(repeating: "a", count: 30)
        let nested = try SchemaPattern("(a*)*b"), alternatives = try SchemaPattern("^(a|a)*b$")
        let overlapping = try SchemaPattern("^(a|aa)+$"), optional = try SchemaPattern("^(a?){30}a{30}$")
        let doubled = try SchemaPattern("(x+x+)+y")
        let elapsed = ContinuousClock().measure {
            #expect(!nested.matches(input))
            #expect(!alternatives.matches(input))
            #expect(!overlapping.matches(input + "b"))
            #expect(optional.matches(input))
            #expect(!doubled.matches(String(repeating: "x", count: 5_000)))
        }
        #expect(elapsed < .seconds(1))
    }

    @Test("the two error messages of the brief, word for word")
    func errorMessages() {
        #expect(compileError("a{2,1}")?.message == #"pattern "a{2,1}": quantifier range is reversed at offset 4"#)
        #expect(compileError("(?=a)b")?.message == #"pattern "(?=a)b": lookahead "(?=" is not supported at offset 0"#)
        #expect(compileError("a\nb(") .map { !$0.message.contains("\n") } == true)
    }

    @Test("unsupported and malformed patterns are rejected with a reason", arguments: [
        ("(?=a)", "lookahead \"(?=\" is not supported"),
        ("(?!a)", "lookahead \"(?!\" is not supported"),
        ("(?<=a)b", "lookbehind \"(?<=\" is not supported"),
        ("(?<!a)b", "lookbehind \"(?<!\" is not supported"),
        ("(a)\\1", "backreference \"\\1\" is not supported"),
        ("(?<x>a)\\k<x>", "backreference \"\\k<x>\" is not supported"),
        ("\\p{Script=Greek}", "Unicode property \"\\p{Script=Greek}\" is not supported"),
        ("\\p{Alphabetic}", "Unicode property \"\\p{Alphabetic}\" is not supported"),
        ("(a", "unbalanced parenthesis: \"(\" is never closed"),
        ("a)", "unbalanced parenthesis: \")\" without a matching \"(\""),
        ("*a", "nothing to repeat before quantifier \"*\""),
        ("a**", "nothing to repeat before quantifier \"*\""),
        ("a|+", "nothing to repeat before quantifier \"+\""),
        ("^*", "nothing to repeat before quantifier \"*\""),
        ("\\b+", "nothing to repeat before quantifier \"+\""),
        ("a{2}{3}", "nothing to repeat"),
        ("a{2,1}", "quantifier range is reversed"),
        ("[z-a]", "character class range is reversed"),
        ("[\\d-z]", "cannot be the end of a range"),
        ("[abc", "unterminated character class"),
        ("a{", "incomplete quantifier"),
        ("{", "lone \"{\""),
        ("a}", "lone \"}\""),
        ("a]", "lone \"]\""),
        ("a\\", "lone backslash"),
        ("\\q", "invalid escape \"\\q\""),
        ("\\A", "invalid escape \"\\A\""),
        ("\\x4", "invalid escape \"\\x\""),
        ("\\u12", "invalid escape \"\\u\""),
        ("\\u{110000}", "invalid escape \"\\u{…}\""),
        ("\\c1", "invalid control escape"),
        ("\\01", "octal escape"),
        ("[\\B]", "not allowed in a character class"),
        ("(?i)a", "group syntax \"(?i\" is not supported"),
        ("(?<1a>x)", "invalid group name"),
        ("a{20000}", "pattern is too large"),
        ("(?:a{100}){200}", "pattern is too large"),
        ("[a-z]{1000000000}", "pattern is too large"),
        (String(repeating: "(", count: 101) + String(repeating: ")", count: 101), "nested more than 100 deep"),
    ])
    func rejected(pattern: String, reason: String) {
        let error = compileError(pattern)
        #expect(error != nil, "\(pattern) should not compile")
        #expect(error?.reason.contains(reason) == true, "\(error?.message ?? "compiled") should say \(reason)")
        #expect(error?.message.hasPrefix("pattern \"") == true)
    }

    // MARK: The official JSON-Schema-Test-Suite

    /// Cases that compile but are known to give the suite's wrong answer, by
    /// "file | group | test", with why. Empty: every compiled case agrees with the suite.
    private static let knownWrong: [String: String] = [:]

    @Test(
        "JSON-Schema-Test-Suite: pattern.json and optional/ecmascript-regex.json",
        .enabled(if: JSONSchemaTestSuiteLocation.isAvailable, JSONSchemaTestSuiteLocation.unavailableReason))
    func officialSuite() throws {
        let suite = try #require(JSONSchemaTestSuiteLocation.directory, JSONSchemaTestSuiteLocation.unavailableReason)
        var checked = 0
        var skipped: [String] = []
        for (file, optional) in [("pattern.json", false), ("optional/ecmascript-regex.json", true)] {
            let url = suite.appendingPathComponent("tests/draft2020-12/\(file)")
            let groups = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
            for group in groups {
                let description = group["description"] as? String ?? "?"
                let tests = group["tests"] as? [[String: Any]] ?? []
                guard let schema = group["schema"] as? [String: Any], let check = Self.checker(for: schema) else {
                    skipped.append("\(file) | \(description): schema uses keywords other than pattern/patternProperties")
                    continue
                }
                let compiled: [SchemaPattern]
                do {
                    compiled = try check.patterns.map { try SchemaPattern($0) }
                } catch {
                    // The required file must compile; the optional one may need unsupported features.
                    if optional {
                        skipped.append("\(file) | \(description): \(error)")
                    } else {
                        Issue.record("\(file) | \(description): \(error)")
                    }
                    continue
                }
                for test in tests {
                    let name = "\(file) | \(description) | \(test["description"] as? String ?? "?")"
                    guard let expected = test["valid"] as? Bool, let valid = check.validate(compiled, test["data"]) else {
                        continue  // data of another type: the keyword ignores it, nothing to test
                    }
                    checked += 1
                    if valid != expected, Self.knownWrong[name] == nil {
                        Issue.record("\(name): expected valid=\(expected), got \(valid)")
                    }
                }
            }
        }
        for reason in skipped { print("SchemaPattern suite, skipped: \(reason)") }
        print("SchemaPattern suite: \(checked) cases checked, \(skipped.count) groups skipped")
        #expect(checked >= 40)
    }

    /// How to run one suite schema with patterns alone: `pattern` (with at most `type: string`),
    /// or `patternProperties` whose subschemas are all `true` with `additionalProperties: false`
    /// (then an object is valid when each of its keys matches one of the patterns).
    private struct Checker {
        var patterns: [String]
        var validate: ([SchemaPattern], Any?) -> Bool?
    }

    private static func checker(for schema: [String: Any]) -> Checker? {
        var keywords = Set(schema.keys)
        keywords.remove("$schema")
        if let pattern = schema["pattern"] as? String,
           keywords == ["pattern"] || (keywords == ["pattern", "type"] && schema["type"] as? String == "string") {
            return Checker(patterns: [pattern]) { compiled, data in
                (data as? String).map { compiled[0].matches($0) }
            }
        }
        if let properties = schema["patternProperties"] as? [String: Any],
           keywords.isSubset(of: ["patternProperties", "additionalProperties", "type"]),
           schema["additionalProperties"] as? Bool == false,
           properties.values.allSatisfy({ $0 as? Bool == true }) {
            return Checker(patterns: Array(properties.keys)) { compiled, data in
                (data as? [String: Any]).map { object in
                    object.keys.allSatisfy { key in compiled.contains { $0.matches(key) } }
                }
            }
        }
        return nil
    }

    @Test("identifier-shaped patterns take the straight-line path and answer as the NFA does")
    func straightLine() throws {
        let inputs = [
            "APP-004217", "APP-04217", "APP-0042170", "app-004217", "XAPP-004217", "APP-00421x", "", "EUR", "EURO",
            "eur", "ÉUR", "APP-٠١٢٣٤٥", "APP-004217\n", "A🐲C",
        ]
        for source in ["^APP-[0-9]{6}$", "^[A-Z]{3}$", "^CUS-\\d{6}", "^.{3}$", "^A.C$", "^[^a-z]{4}$"] {
            let fast = try SchemaPattern(source)
            // The same language, with an alternative that never matches these inputs: not a
            // straight line, so it goes through the NFA.
            let general = try SchemaPattern("(?:\(source))|^\\u0000\\u0001$")
            #expect(fast.straightLine != nil, "\(source) is a straight line")
            #expect(general.straightLine == nil)
            for input in inputs {
                #expect(fast.matches(input) == general.matches(input), "\(source) on \(input)")
            }
        }
        for source in ["APP-[0-9]{6}", "^a+$", "^(a|b)$", "^a{2,3}$", "^\\bA"] {
            #expect(try SchemaPattern(source).straightLine == nil, "\(source) is not a straight line")
        }
    }
}
