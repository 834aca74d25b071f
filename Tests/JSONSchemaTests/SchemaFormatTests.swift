@testable import JSONSchema
import Foundation
import Testing

@Suite("JSON Schema format assertions")
struct SchemaFormatTests {
    /// Cases of the official suite that `SchemaFormat` is allowed to get wrong, keyed
    /// "format: data" with the reason. Empty: every case of every asserted format passes.
    /// Add an entry only for a case that needs something out of scope, and say why.
    static let allowList: [String: String] = [:]

    struct SuiteCase {
        let group: String
        let description: String
        let data: String
        let valid: Bool
    }

    /// The string cases of `tests/draft2020-12/optional/format/<format>.json`. Non-string data
    /// is valid whatever the format (formats only constrain strings), so it is left out.
    static func suiteCases(for format: SchemaFormat) throws -> [SuiteCase] {
        let directory = try #require(JSONSchemaTestSuiteLocation.directory, JSONSchemaTestSuiteLocation.unavailableReason)
        let file = directory.appendingPathComponent("tests/draft2020-12/optional/format/\(format.rawValue).json")
        let groups = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]],
            "\(file.path) is not an array of test groups")
        var cases: [SuiteCase] = []
        for group in groups {
            let groupDescription = group["description"] as? String ?? "?"
            for test in group["tests"] as? [[String: Any]] ?? [] {
                guard let data = test["data"] as? String else { continue }
                let valid = try #require(test["valid"] as? Bool, "\(groupDescription): no \"valid\"")
                cases.append(SuiteCase(
                    group: groupDescription, description: test["description"] as? String ?? "?",
                    data: data, valid: valid))
            }
        }
        return cases
    }

    @Test(
        "the official suite's cases",
        .enabled(if: JSONSchemaTestSuiteLocation.isAvailable, JSONSchemaTestSuiteLocation.unavailableReason),
        arguments: SchemaFormat.allCases)
    func officialSuite(format: SchemaFormat) throws {
        let cases = try Self.suiteCases(for: format)
        #expect(!cases.isEmpty, "no string cases for \(format.rawValue)")
        var passed = 0, allowed = 0
        for suiteCase in cases {
            let result = format.isValid(suiteCase.data)
            if result == suiteCase.valid {
                passed += 1
                continue
            }
            let key = "\(format.rawValue): \(suiteCase.data)"
            if let reason = Self.allowList[key] {
                allowed += 1
                print("allow-listed \(key.debugDescription): \(reason)")
                continue
            }
            Issue.record("""
                \(format.rawValue) \(suiteCase.data.debugDescription): got \(result), expected \(suiteCase.valid) \
                (\(suiteCase.group): \(suiteCase.description))
                """)
        }
        print("format \(format.rawValue): \(passed)/\(cases.count) suite cases passed, \(allowed) allow-listed")
    }

    @Test("every name maps to its case and back")
    func names() {
        let names = ["date-time", "date", "time", "uuid", "uri", "uri-reference", "email", "hostname",
                     "ipv4", "ipv6", "duration"]
        #expect(SchemaFormat.allCases.map(\.rawValue) == names)
        for name in names { #expect(SchemaFormat(rawValue: name)?.rawValue == name) }
        #expect(SchemaFormat(rawValue: "regex") == nil)
        #expect(SchemaFormat(rawValue: "Date-Time") == nil)
    }

    @Test("date-time, date and time by hand")
    func dates() {
        #expect(SchemaFormat.dateTime.isValid("2026-11-21T09:15:30.123Z"))
        #expect(!SchemaFormat.dateTime.isValid("2026-02-29T00:00:00Z"))
        #expect(SchemaFormat.dateTime.isValid("2024-02-29T00:00:00Z"))
        #expect(SchemaFormat.dateTime.isValid("2000-02-29t23:59:59.5-00:00"))
        #expect(!SchemaFormat.dateTime.isValid("2026-11-21T09:15:30.Z"))
        #expect(!SchemaFormat.dateTime.isValid("2026-11-21"))
        #expect(!SchemaFormat.dateTime.isValid("2026-11-21T"))
        #expect(!SchemaFormat.dateTime.isValid("2026-11-21 09:15:30Z"))
        #expect(SchemaFormat.date.isValid("0000-02-29"))  // year 0 is a leap year
        #expect(!SchemaFormat.date.isValid("1900-02-29"))
        #expect(SchemaFormat.time.isValid("00:00:60+00:01"))  // 23:59:60 UTC, the day before
        #expect(!SchemaFormat.time.isValid("00:00:00+23:60"))
        #expect(!SchemaFormat.time.isValid("00:00:00+2:00"))
    }

    @Test("uuid by hand")
    func uuids() {
        #expect(SchemaFormat.uuid.isValid("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"))
        #expect(SchemaFormat.uuid.isValid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"))
        #expect(!SchemaFormat.uuid.isValid("{f81d4fae-7dec-11d0-a765-00a0c91e6bf6}"))
        #expect(!SchemaFormat.uuid.isValid(""))
    }

    @Test("uri and uri-reference by hand")
    func uris() {
        #expect(SchemaFormat.uri.isValid("https://user:pw@[v1.fe80::a+en1]:8443/a/b;c?d=e&f#g/h?i"))
        #expect(SchemaFormat.uri.isValid("HTTP://EXAMPLE.COM:/%7Euser"))
        #expect(SchemaFormat.uri.isValid("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"))
        #expect(!SchemaFormat.uri.isValid("https://example.com/#a#b"))
        #expect(!SchemaFormat.uri.isValid("https://[fe80::1%25en0]/"))  // zone ids are RFC 6874, not 3986
        #expect(!SchemaFormat.uri.isValid("https://[v1.]/"))
        #expect(!SchemaFormat.uri.isValid(""))
        #expect(SchemaFormat.uriReference.isValid("../a/b?c"))
        #expect(SchemaFormat.uriReference.isValid("a/b:c"))
        #expect(!SchemaFormat.uriReference.isValid("a:b c"))
        #expect(!SchemaFormat.uriReference.isValid("%2"))
    }

    @Test("email by hand")
    func emails() {
        #expect(SchemaFormat.email.isValid("first.last+tag@sub.example.co"))
        #expect(SchemaFormat.email.isValid("\"a\\\"b\"@example.com"))
        #expect(SchemaFormat.email.isValid("user@[ipv6:2001:db8::1]"))
        #expect(SchemaFormat.email.isValid("user@xn--bcher-kva.example"))
        #expect(!SchemaFormat.email.isValid("user@[IPv6:1.2.3.4]"))
        #expect(!SchemaFormat.email.isValid("user@[tag:content]"))
        #expect(!SchemaFormat.email.isValid("\"unterminated@example.com"))
        #expect(!SchemaFormat.email.isValid("Ünïcode@example.com"))
        #expect(!SchemaFormat.email.isValid(String(repeating: "a", count: 65) + "@example.com"))
        #expect(SchemaFormat.email.isValid(String(repeating: "a", count: 64) + "@example.com"))
    }

    @Test("hostname and A-labels by hand")
    func hostnames() {
        #expect(SchemaFormat.hostname.isValid("xn--bcher-kva.example"))  // bücher
        #expect(SchemaFormat.hostname.isValid("XN--BCHER-KVA.EXAMPLE"))
        #expect(!SchemaFormat.hostname.isValid("xn--bcher-kva-.example"))
        #expect(!SchemaFormat.hostname.isValid("xn--abc-"))  // decodes to plain ASCII
        #expect(!SchemaFormat.hostname.isValid("xn--"))
        #expect(!SchemaFormat.hostname.isValid("xn--ls8h"))  // 💩: not PVALID
        // A right-to-left label makes every label subject to the Bidi rule: "1a" starts with
        // a digit, which a Bidi domain name does not allow.
        #expect(SchemaFormat.hostname.isValid("xn--4gbrim.com"))  // موقع.com
        #expect(!SchemaFormat.hostname.isValid("xn--4gbrim.1a"))
        #expect(SchemaFormat.hostname.isValid("1a.example"))
        #expect(SchemaFormat.hostname.isValid(
            String(repeating: "a.", count: 126) + "a"))  // 253 bytes
        #expect(!SchemaFormat.hostname.isValid(
            String(repeating: "a.", count: 126) + "ab"))  // 254 bytes
    }

    @Test("ipv4 and ipv6 by hand")
    func addresses() {
        #expect(SchemaFormat.ipv4.isValid("1.2.3.4"))
        #expect(!SchemaFormat.ipv4.isValid("1.2.3.04"))
        #expect(!SchemaFormat.ipv4.isValid("1.2.3.1000"))
        #expect(SchemaFormat.ipv6.isValid("2001:DB8::8:800:200C:417A"))
        #expect(SchemaFormat.ipv6.isValid("::1:2:3:4:5:6:7"))
        #expect(!SchemaFormat.ipv6.isValid("::1:2:3:4:5:6:7:8"))
        #expect(SchemaFormat.ipv6.isValid("::1:2:3:4:5:1.2.3.4"))
        #expect(!SchemaFormat.ipv6.isValid("::1:2:3:4:5:6:1.2.3.4"))
        #expect(!SchemaFormat.ipv6.isValid("1::1.2.3.4:5"))
        #expect(!SchemaFormat.ipv6.isValid(":"))
    }

    @Test("duration by hand")
    func durations() {
        #expect(SchemaFormat.duration.isValid("P4DT12H30M5S"))
        #expect(SchemaFormat.duration.isValid("P1W"))
        #expect(SchemaFormat.duration.isValid("p1dt2h"))  // ABNF strings match in any case
        #expect(!SchemaFormat.duration.isValid("P1W2D"))
        #expect(!SchemaFormat.duration.isValid("PT1H1H"))
        #expect(!SchemaFormat.duration.isValid("P1M1Y"))
        #expect(!SchemaFormat.duration.isValid("P1DT"))
    }

    @Test("the IDNA table is sorted, starts at U+0000 and agrees with the ASCII shortcut")
    func idnaTable() {
        #expect(IDNA.tableProperties(of: 0x61).idnaClass == .pvalid)  // a
        #expect(IDNA.tableProperties(of: 0x41).idnaClass == .notPermitted)  // A
        #expect(IDNA.properties(of: 0x10FFFF).idnaClass == .notPermitted)
        #expect(IDNA.properties(of: 0x200C).idnaClass == .contextJ)
        #expect(IDNA.properties(of: 0x0301).isCombiningMark)
        #expect(IDNA.properties(of: 0x094D).isVirama)
        #expect(IDNA.properties(of: 0x05D0).bidiClass == .r)
        for codePoint: UInt32 in 0..<0x80 {
            #expect(IDNA.properties(of: codePoint) == IDNA.tableProperties(of: codePoint), "U+\(codePoint)")
        }
        IDNA.runs.withUTF8Buffer { text in
            #expect(text.count == IDNA.runCount * 10)
            var previous = -1
            for run in 0..<IDNA.runCount {
                let start = Int(String(decoding: text[(run * 10)..<(run * 10 + 6)], as: UTF8.self), radix: 16) ?? -2
                #expect(start > previous)
                previous = start
            }
            #expect(text.prefix(6).elementsEqual("000000".utf8))
        }
    }
}
