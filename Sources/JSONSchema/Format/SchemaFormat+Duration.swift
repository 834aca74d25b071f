// `duration`: the ISO 8601 duration of RFC 3339 appendix A.
//
//   duration   = "P" (dur-date / dur-time / dur-week)
//   dur-date   = (dur-day / dur-month / dur-year) [dur-time]
//   dur-time   = "T" (dur-hour / dur-minute / dur-second)
//   dur-year   = 1*DIGIT "Y" [dur-month]     dur-hour   = 1*DIGIT "H" [dur-minute]
//   dur-month  = 1*DIGIT "M" [dur-day]       dur-minute = 1*DIGIT "M" [dur-second]
//   dur-day    = 1*DIGIT "D"                 dur-second = 1*DIGIT "S"
//   dur-week   = 1*DIGIT "W"
//
// So the date elements are a run of consecutive units out of Y, M, D and the time elements a
// run out of H, M, S: "P1Y2D" and "PT1H2S" skip a unit and are invalid. Weeks stand alone. There
// are no fractions or signs. The designators are ABNF strings, which match in any case, just
// as RFC 3339 allows "t" and "z" in timestamps.

extension SchemaFormat {
    static func isDuration(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count >= 3, lowercased(bytes[0]) == UInt8(ascii: "p") else { return false }
        var index = 1

        // Date elements, up to "T" or the end.
        var lastDateUnit = -1
        while index < count && lowercased(bytes[index]) != UInt8(ascii: "t") {
            guard let designator = durationDesignator(bytes, &index) else { return false }
            if designator == UInt8(ascii: "w") {
                return lastDateUnit < 0 && index == count
            }
            guard let unit = durationUnit(designator, in: "ymd"),
                  lastDateUnit < 0 || unit == lastDateUnit + 1
            else { return false }
            lastDateUnit = unit
        }
        if index == count { return lastDateUnit >= 0 }

        // Time elements after "T"; at least one.
        index += 1
        var lastTimeUnit = -1
        while index < count {
            guard let designator = durationDesignator(bytes, &index),
                  let unit = durationUnit(designator, in: "hms"),
                  lastTimeUnit < 0 || unit == lastTimeUnit + 1
            else { return false }
            lastTimeUnit = unit
        }
        return lastTimeUnit >= 0
    }

    /// Reads 1*DIGIT and the designator after it; returns the designator in lowercase.
    private static func durationDesignator(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> UInt8? {
        let start = index
        while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        guard index > start, index < bytes.count, isAlpha(bytes[index]) else { return nil }
        defer { index += 1 }
        return lowercased(bytes[index])
    }

    /// The position of `designator` in `units`, the designators of one part in order.
    private static func durationUnit(_ designator: UInt8, in units: StaticString) -> Int? {
        units.withUTF8Buffer { $0.firstIndex(of: designator) }
    }
}
