@testable import AgentBus
import JSONSchema
import Testing

@Suite("Event times")
struct EventTimeTests {
    /// Expected strings cross-checked with Python's `datetime` (UTC, milliseconds).
    @Test("formats known instants as RFC 3339 UTC with three fraction digits", arguments: [
        (0, "1970-01-01T00:00:00.000Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
        (1_795_252_530_123, "2026-11-21T09:15:30.123Z"),
        (1_234_567_890_123, "2009-02-13T23:31:30.123Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-11_644_473_600_000, "1601-01-01T00:00:00.000Z"),
        (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ] as [(Int64, String)])
    func formatting(milliseconds: Int64, expected: String) {
        let time = EventTime(millisecondsSinceEpoch: milliseconds)
        #expect(time.description == expected)
        #expect(EventTime(rfc3339: expected) == time)
    }

    @Test("years RFC 3339 cannot hold use ISO 8601 expanded years, and do not parse back")
    func expandedYears() {
        let afterYear9999 = EventTime(millisecondsSinceEpoch: 253_402_300_800_000)
        #expect(afterYear9999.description == "+10000-01-01T00:00:00.000Z")
        #expect(EventTime(rfc3339: afterYear9999.description) == nil)
        #expect(EventTime(millisecondsSinceEpoch: -62_167_219_200_001).description == "-0001-12-31T23:59:59.999Z")
        // The extremes do not trap.
        #expect(!EventTime(millisecondsSinceEpoch: .max).description.isEmpty)
        #expect(!EventTime(millisecondsSinceEpoch: .min).description.isEmpty)
    }

    @Test("the civil-date conversion agrees with day counting for every day of 0000–9999")
    func civilRoundTrip() {
        var days = RFC3339Milliseconds.days(fromYear: 0, month: 1, day: 1)
        #expect(days == -719_528)
        var expected: (year: Int64, month: Int, day: Int) = (0, 1, 1)
        let end = RFC3339Milliseconds.days(fromYear: 10000, month: 1, day: 1)
        var mismatches = 0
        while days < end {
            let civil = RFC3339Milliseconds.civil(fromDays: days)
            if civil != expected { mismatches += 1 }
            // Advance `expected` by one day by hand.
            let leap = expected.year % 4 == 0 && (expected.year % 100 != 0 || expected.year % 400 == 0)
            let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            if expected.day < lengths[expected.month - 1] {
                expected.day += 1
            } else if expected.month < 12 {
                expected = (expected.year, expected.month + 1, 1)
            } else {
                expected = (expected.year + 1, 1, 1)
            }
            days += 1
        }
        #expect(mismatches == 0)
    }

    @Test("formatting and parsing round-trip across the RFC 3339 range")
    func roundTrip() {
        let low: Int64 = -62_167_219_200_000, high: Int64 = 253_402_300_799_999
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0 ..< 20_000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let ms = low + Int64(x >> 1 % UInt64(high - low + 1))
            let time = EventTime(millisecondsSinceEpoch: ms)
            #expect(EventTime(rfc3339: time.description) == time)
        }
    }

    @Test("parses offsets, separators and fraction lengths into UTC milliseconds", arguments: [
        ("2026-11-21T10:15:30.5+01:00", "2026-11-21T09:15:30.500Z"),
        ("2026-11-21T09:15:30Z", "2026-11-21T09:15:30.000Z"),
        ("2026-11-21t09:15:30z", "2026-11-21T09:15:30.000Z"),
        ("2026-11-21 09:15:30Z", "2026-11-21T09:15:30.000Z"),
        ("2026-11-21T09:15:30.12Z", "2026-11-21T09:15:30.120Z"),
        ("2026-11-21T09:15:30.123456789Z", "2026-11-21T09:15:30.123Z"),
        ("2026-11-21T09:15:30.999999Z", "2026-11-21T09:15:30.999Z"),
        ("2026-11-21T09:15:30-00:00", "2026-11-21T09:15:30.000Z"),
        ("2026-11-21T00:15:30-05:30", "2026-11-21T05:45:30.000Z"),
        ("2026-01-01T00:00:00+14:00", "2025-12-31T10:00:00.000Z"),
        ("2025-12-31T23:30:00-23:59", "2026-01-01T23:29:00.000Z"),
        ("1970-01-01T00:00:00.001+00:01", "1969-12-31T23:59:00.001Z"),
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"),
        ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999Z"),
        ("2016-12-31T23:59:60.5Z", "2016-12-31T23:59:59.999Z"),
    ])
    func parsing(text: String, expected: String) throws {
        let time = try #require(EventTime(rfc3339: text))
        #expect(time.description == expected)
    }

    @Test("rejects invalid dates and malformed text", arguments: [
        "2026-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-21T24:00:00Z",
        "2026-11-21T09:60:00Z",
        "2026-11-21T09:15:61Z",
        "2026-11-21T09:15:30",
        "2026-11-21T09:15:30.Z",
        "2026-11-21T09:15:30.",
        "2026-11-21T09:15:30+0100",
        "2026-11-21T09:15:30+01",
        "2026-11-21T09:15:30+01:00x",
        "2026-11-21T09:15:30Zx",
        "2026-11-21T09:15:30+24:00",
        "2026-11-21T09:15:30+01:60",
        "2026-11-21T09:15:30 Z",
        "2026-11-21X09:15:30Z",
        "2026-11-21",
        "",
        " 2026-11-21T09:15:30Z",
        "+2026-11-21T09:15:30Z",
        "26-11-21T09:15:30Z",
        "2026-1-21T09:15:30Z",
        "2026-11-21T9:15:30Z",
        "2026/11/21T09:15:30Z",
        "2026-11-21T09:15:30,5Z",
        "2026-11-21T09:15:3OZ",
        "２026-11-21T09:15:30Z",
    ])
    func rejects(text: String) {
        #expect(EventTime(rfc3339: text) == nil)
    }

    @Test("now() is the wall clock and ordered like its milliseconds")
    func now() {
        let a = EventTime.now()
        let b = EventTime.now()
        #expect(a <= b)
        // Sometime after 2024 and before 2100: a wall clock, not a monotonic one.
        #expect(a.millisecondsSinceEpoch > 1_704_067_200_000)
        #expect(a.millisecondsSinceEpoch < 4_102_444_800_000)
        #expect(EventTime(millisecondsSinceEpoch: 1) < EventTime(millisecondsSinceEpoch: 2))
        #expect(EventTime(millisecondsSinceEpoch: -5) < EventTime(millisecondsSinceEpoch: 0))
    }
}
