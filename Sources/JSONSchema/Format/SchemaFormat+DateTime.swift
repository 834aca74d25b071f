// RFC 3339 section 5.6: `date-time`, `full-date` (format `date`) and `full-time` (format `time`).
//
//   date-time    = full-date "T" full-time
//   full-date    = date-fullyear "-" date-month "-" date-mday        ; 4DIGIT "-" 2DIGIT "-" 2DIGIT
//   full-time    = partial-time time-offset
//   partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
//   time-secfrac = "." 1*DIGIT
//   time-offset  = "Z" / ("+" / "-") time-hour ":" time-minute
//
// "T" and "Z" may be lowercase (section 5.6's note). Digit counts are exact, so the fields sit at
// fixed offsets and need no scanning except for the fraction.

extension SchemaFormat {
    static func isDateTime(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // 10 bytes of date, the "T", and at least "HH:MM:SSZ".
        guard bytes.count >= 20, lowercased(bytes[10]) == UInt8(ascii: "t") else { return false }
        return isFullDate(slice(bytes, 0..<10)) && isFullTime(slice(bytes, 11..<bytes.count))
    }

    static func isFullDate(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let high = twoDigits(bytes, at: 0), let low = twoDigits(bytes, at: 2),
              let month = twoDigits(bytes, at: 5), let day = twoDigits(bytes, at: 8)
        else { return false }
        let year = high * 100 + low
        return (1...12).contains(month) && day >= 1 && day <= daysInMonth(month, year: year)
    }

    static func isFullTime(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        // Shortest is "HH:MM:SSZ".
        guard count >= 9, bytes[2] == UInt8(ascii: ":"), bytes[5] == UInt8(ascii: ":"),
              let hour = twoDigits(bytes, at: 0), let minute = twoDigits(bytes, at: 3),
              let second = twoDigits(bytes, at: 6),
              hour <= 23, minute <= 59, second <= 60
        else { return false }

        var index = 8
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < count && isDigit(bytes[index]) { index += 1 }
            guard index > fractionStart, index < count else { return false }
        }

        // The offset, as minutes east of UTC.
        let offset: Int
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == count else { return false }
            offset = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard count - index == 6, bytes[index + 3] == UInt8(ascii: ":"),
                  let offsetHour = twoDigits(bytes, at: index + 1), offsetHour <= 23,
                  let offsetMinute = twoDigits(bytes, at: index + 4), offsetMinute <= 59
            else { return false }
            let magnitude = offsetHour * 60 + offsetMinute
            offset = bytes[index] == UInt8(ascii: "+") ? magnitude : -magnitude
        default:
            return false
        }

        // A leap second is inserted at the end of a UTC day, so second 60 is only valid when
        // the local time, moved to UTC, is 23:59 (section 5.7). "-00:00" counts as UTC.
        if second == 60 {
            let minutesPerDay = 24 * 60
            let utc = ((hour * 60 + minute - offset) % minutesPerDay + minutesPerDay) % minutesPerDay
            return utc == 23 * 60 + 59
        }
        return true
    }

    /// The two ASCII digits at `index` as a number, or nil when either is not a digit.
    @inline(__always)
    static func twoDigits(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let tens = bytes[index], ones = bytes[index + 1]
        guard isDigit(tens), isDigit(ones) else { return nil }
        return Int(tens &- UInt8(ascii: "0")) * 10 + Int(ones &- UInt8(ascii: "0"))
    }

    /// Days in `month` (1...12) of the proleptic Gregorian `year`, as RFC 3339 section 5.7 uses.
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return isLeap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }
}
