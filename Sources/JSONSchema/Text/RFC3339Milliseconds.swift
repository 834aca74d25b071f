#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 timestamps in UTC with exactly three fraction digits (`2026-11-21T09:15:30.123Z`),
/// as milliseconds since the Unix epoch: written and read by hand, without Foundation, because
/// every event carries one (`ce_time`) and typed payloads write one per date.
///
/// AgentBus's `EventTime` is the public face of these; the typed-payload coders use them directly.
package enum RFC3339Milliseconds {
    private static let millisecondsPerDay: Int64 = 86_400_000

    // MARK: Formatting

    /// RFC 3339 in UTC with exactly three fraction digits, e.g. `2026-11-21T09:15:30.123Z`.
    ///
    /// Years outside 0000–9999, which RFC 3339 cannot express, are written in ISO 8601's
    /// expanded form (`+10000-01-01T00:00:00.000Z`, `-0001-…`), which ``parse(_:)`` rejects.
    package static func format(_ millisecondsSinceEpoch: Int64) -> String {
        let date = civilDate(millisecondsSinceEpoch)
        let text = String(unsafeUninitializedCapacity: Self.rfc3339Length) { Self.writeRFC3339(date, $0) }
        let year = date.year
        if (0 ... 9999).contains(year) { return text }
        // Rare slow path: only for instants hundreds of years from now (`text` lacks the year).
        let magnitude = String(year.magnitude)
        return (year < 0 ? "-" : "+") + String(repeating: "0", count: max(0, 4 - magnitude.count)) + magnitude + text
    }

    /// The length of the RFC 3339 form: `2026-11-21T09:15:30.123Z`.
    package static let rfc3339Length = 24

    /// Appends ``description`` as UTF-8, without making a `String` for years 0000–9999: the
    /// typed-payload encoder writes one per date.
    package static func append(_ millisecondsSinceEpoch: Int64, to bytes: inout [UInt8]) {
        let date = civilDate(millisecondsSinceEpoch)
        guard (0 ... 9999).contains(date.year) else {
            bytes.append(contentsOf: format(millisecondsSinceEpoch).utf8)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.rfc3339Length) { buffer in
            let length = Self.writeRFC3339(date, buffer)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0 ..< length]))
        }
    }

    /// The UTC calendar day and the milliseconds into it.
    private static func civilDate(_ ms: Int64) -> (year: Int64, month: Int, day: Int, msOfDay: Int64) {
        // Floor division, so instants before 1970 land on the previous day with a positive time.
        var days = ms / Self.millisecondsPerDay
        var msOfDay = ms % Self.millisecondsPerDay
        if msOfDay < 0 {
            days -= 1
            msOfDay += Self.millisecondsPerDay
        }
        let (year, month, day) = civil(fromDays: days)
        return (year, month, day, msOfDay)
    }

    /// Writes the RFC 3339 form of `date` into `b` (``rfc3339Length`` bytes) and returns the
    /// length written: all of it for years 0000–9999, and everything after the year otherwise.
    private static func writeRFC3339(
        _ date: (year: Int64, month: Int, day: Int, msOfDay: Int64), _ b: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        let (year, month, day, msOfDay) = date
        var i = 0
        func put(_ value: Int64, _ width: Int) {
            var v = value
            for j in stride(from: width - 1, through: 0, by: -1) {
                b[i + j] = 0x30 + UInt8(v % 10)
                v /= 10
            }
            i += width
        }
        func put(_ ascii: Unicode.Scalar) {
            b[i] = UInt8(ascii: ascii)
            i += 1
        }
        if (0 ... 9999).contains(year) { put(year, 4) }
        put("-"); put(Int64(month), 2); put("-"); put(Int64(day), 2)
        put("T"); put(msOfDay / 3_600_000, 2)
        put(":"); put(msOfDay / 60000 % 60, 2)
        put(":"); put(msOfDay / 1000 % 60, 2)
        put("."); put(msOfDay % 1000, 3)
        put("Z")
        return i
    }

    /// Proleptic Gregorian (year, month, day) of a day count from 1970-01-01; Howard Hinnant's
    /// `civil_from_days`, exact for the whole Int64-millisecond range.
    package static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468 // shift the epoch to 0000-03-01, so leap days end each 400-year era
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097 // [0, 146096]
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365 // [0, 399]
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100) // [0, 365], from March 1
        let shiftedMonth = (5 * dayOfYear + 2) / 153 // [0, 11], March = 0
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date; Howard Hinnant's `days_from_civil`.
    package static func days(fromYear year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = Int64((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    // MARK: Parsing

    /// Parses an RFC 3339 `date-time` in UTF-8, converting it to UTC and truncating to the
    /// millisecond: milliseconds since the epoch, or nil.
    ///
    /// Accepts any number of fraction digits (beyond three are dropped, not rounded), `Z`/`z` or a
    /// `±HH:MM` offset, and `T`, `t` or a space between date and time (RFC 3339 §5.6 allows the
    /// space). Rejects impossible dates such as `2026-02-30`. A leap second (`:60`) is accepted,
    /// as RFC 3339 requires, and pinned to `:59.999` of that minute, since Unix time has no slot for it.
    package static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        // The shortest form is "YYYY-MM-DDTHH:MM:SSZ".
        guard s.count >= 20 else { return nil }
        func number(_ at: Int, _ width: Int) -> Int? {
            var value = 0
            for i in at ..< at + width {
                let digit = s[i] &- 0x30
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        func isByte(_ at: Int, _ ascii: Unicode.Scalar) -> Bool { s[at] == UInt8(ascii: ascii) }

        guard let year = number(0, 4), isByte(4, "-"),
              let month = number(5, 2), isByte(7, "-"),
              let day = number(8, 2),
              isByte(10, "T") || isByte(10, "t") || isByte(10, " "),
              let hour = number(11, 2), isByte(13, ":"),
              let minute = number(14, 2), isByte(16, ":"),
              var second = number(17, 2),
              (1 ... 12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var i = 19
        var millisecond = 0
        if isByte(i, ".") {
            i += 1
            let start = i
            while i < s.count, s[i] &- 0x30 < 10 {
                if i - start < 3 { millisecond = millisecond * 10 + Int(s[i] - 0x30) }
                i += 1
            }
            let fractionDigits = i - start
            guard fractionDigits > 0 else { return nil }
            for _ in fractionDigits ..< max(fractionDigits, 3) { millisecond *= 10 }
        }
        if second == 60 {
            second = 59
            millisecond = 999
        }

        guard i < s.count else { return nil }
        var offsetMinutes = 0
        if isByte(i, "Z") || isByte(i, "z") {
            i += 1
        } else if isByte(i, "+") || isByte(i, "-") {
            guard s.count - i >= 6, isByte(i + 3, ":"),
                  let offsetHour = number(i + 1, 2), offsetHour <= 23,
                  let offsetMinute = number(i + 4, 2), offsetMinute <= 59
            else { return nil }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (isByte(i, "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == s.count else { return nil }

        let days = Self.days(fromYear: Int64(year), month: month, day: day)
        // Local time minus its offset is UTC.
        let secondsOfDay = Int64(((hour * 60 + minute) - offsetMinutes) * 60 + second)
        return days * millisecondsPerDay + secondsOfDay * 1000 + Int64(millisecond)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
