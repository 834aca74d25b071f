#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import JSONSchema

/// An instant with millisecond precision, as the CloudEvents `time` attribute (`ce_time`) carries it.
///
/// Milliseconds since the Unix epoch, UTC, ignoring leap seconds like all Unix time. Its text form
/// is RFC 3339 in UTC with exactly three fraction digits (`2026-11-21T09:15:30.123Z`), formatted
/// and parsed by hand, without Foundation, because every published event carries one.
public struct EventTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z; negative before it.
    public let millisecondsSinceEpoch: Int64

    /// The instant `milliseconds` after (or, if negative, before) the Unix epoch.
    public init(millisecondsSinceEpoch milliseconds: Int64) {
        self.millisecondsSinceEpoch = milliseconds
    }

    /// The wall-clock time now (`CLOCK_REALTIME`), truncated to the millisecond.
    ///
    /// Wall-clock, so it can step backwards when the system clock is corrected; use it to stamp
    /// events, not to measure durations.
    public static func now() -> EventTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return EventTime(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec / 1_000_000))
    }

    /// Earlier instants sort first.
    public static func < (lhs: EventTime, rhs: EventTime) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    // MARK: Text

    /// RFC 3339 in UTC with exactly three fraction digits, e.g. `2026-11-21T09:15:30.123Z`.
    ///
    /// Years outside 0000–9999, which RFC 3339 cannot express, are written in ISO 8601's
    /// expanded form (`+10000-01-01T00:00:00.000Z`, `-0001-…`), which `init(rfc3339:)` rejects.
    public var description: String { RFC3339Milliseconds.format(millisecondsSinceEpoch) }

    /// Appends ``description`` as UTF-8, without making a `String` for years 0000–9999.
    func appendDescription(to bytes: inout [UInt8]) { RFC3339Milliseconds.append(millisecondsSinceEpoch, to: &bytes) }

    /// Parses an RFC 3339 `date-time`, converting it to UTC and truncating to the millisecond.
    ///
    /// Accepts any number of fraction digits (beyond three are dropped, not rounded), `Z`/`z` or a
    /// `±HH:MM` offset, and `T`, `t` or a space between date and time (RFC 3339 §5.6 allows the
    /// space). Rejects impossible dates such as `2026-02-30`. A leap second (`:60`) is accepted,
    /// as RFC 3339 requires, and pinned to `:59.999` of that minute, since Unix time has no slot for it.
    public init?(rfc3339 text: String) {
        let parsed: Int64?? = text.utf8.withContiguousStorageIfAvailable(RFC3339Milliseconds.parse)
        guard let milliseconds = parsed ?? Array(text.utf8).withUnsafeBufferPointer(RFC3339Milliseconds.parse) else { return nil }
        self.millisecondsSinceEpoch = milliseconds
    }

    /// ``init(rfc3339:)`` on UTF-8 bytes: milliseconds since the epoch, or nil.
    package static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Int64? { RFC3339Milliseconds.parse(s) }
}
