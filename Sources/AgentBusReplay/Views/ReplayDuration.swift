import AgentBus

/// Durations as people read them in the replay views: "0ms", "12ms", "1.4s", "2m03s", "1h02m".
///
/// One formatter for every text view, so the tree, the timeline and the critical path print the
/// same figure for the same span. Precision drops as the span grows, because nobody debugging a
/// two-minute stall cares about its milliseconds, and a fixed shape keeps the columns narrow.
package enum ReplayDuration {
    /// `milliseconds` in the coarsest unit that keeps two significant figures.
    ///
    /// Under a second: whole milliseconds. Under a minute: seconds to one decimal, rounded half
    /// up. Under an hour: minutes and zero-padded seconds. Beyond: hours and zero-padded minutes.
    /// A value that rounds up to the next unit is written in that unit (59 960 ms is "1m00s", not
    /// "60.0s"). Negative values, which clock skew between producers can give, keep their sign.
    package static func format(_ milliseconds: Int64) -> String {
        if milliseconds < 0 {
            // `magnitude` rather than negation: Int64.min has no positive counterpart.
            return "-" + format(magnitude: milliseconds.magnitude)
        }
        return format(magnitude: milliseconds.magnitude)
    }

    private static func format(magnitude ms: UInt64) -> String {
        if ms < 1000 { return "\(ms)ms" }
        let tenths = (ms + 50) / 100
        if tenths < 600 { return "\(tenths / 10).\(tenths % 10)s" }
        let seconds = (ms + 500) / 1000
        if seconds < 3600 { return "\(seconds / 60)m\(twoDigits(seconds % 60))s" }
        let minutes = (ms + 30_000) / 60_000
        return "\(minutes / 60)h\(twoDigits(minutes % 60))m"
    }

    private static func twoDigits(_ value: UInt64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
