import AgentBus
import Kafka

/// Where `agentbus replay --since` starts or `--until` stops reading: a time, or offsets.
///
/// Accepted forms:
/// - an RFC 3339 time, `2026-11-21T04:00:00Z` (any offset; a bare date `2026-11-21` is its
///   midnight UTC);
/// - an age, `30s`, `15m`, `2h`, `1d` (also `500ms` and `1h30m`): that long before now;
/// - offsets: `@N` for offset N in every partition, `TOPIC:PARTITION@N` for one partition, or
///   several, comma-separated (`@100,loan.applications:2@40`: partition 2 of loan.applications
///   at 40, every other partition at 100).
///
/// A time means the first record of each partition whose timestamp is at or after it (Kafka's
/// lookup by time). An offset start is inclusive and an offset end exclusive (`--until @N` stops
/// before offset N, like a high watermark), so `--since @N --until @M` reads `M - N` offsets.
public struct ReplayBound: Sendable, Hashable, CustomStringConvertible {
    public enum Value: Sendable, Hashable {
        /// Milliseconds since 1970.
        case time(Int64)
        /// An offset for every partition (nil: only the named ones are bounded) and offsets for
        /// single partitions, which win.
        case offsets(every: Int64?, partitions: [KafkaTopicPartition: Int64])
    }

    /// Why a text is not a bound, in one line.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The text as given, kept for the log's record (``ReplayLogMetadata/since``).
    public var text: String
    public var value: Value

    public init(text: String, value: Value) {
        self.text = text
        self.value = value
    }

    /// Parses `text`; an age counts back from `now` (milliseconds since 1970).
    public init(parsing text: String, now: Int64 = EventTime.now().millisecondsSinceEpoch) throws(ParseError) {
        self.text = text
        let trimmed = text.trimmingWhitespace
        if trimmed.isEmpty { throw ParseError(message: "an empty value; " + Self.forms) }
        if trimmed.contains("@") {
            value = try Self.offsets(trimmed)
        } else if let age = ReplayDurationText.milliseconds(trimmed) {
            value = .time(now - age)
        } else if let time = EventTime(rfc3339: trimmed) ?? EventTime(rfc3339: trimmed + "T00:00:00Z") {
            value = .time(time.millisecondsSinceEpoch)
        } else {
            throw ParseError(message: "\"\(text)\" is not a time, an age or offsets; " + Self.forms)
        }
    }

    public var description: String { text }

    /// The accepted forms, for error messages.
    static let forms =
        "expected an RFC 3339 time (2026-11-21T04:00:00Z), an age (30s, 15m, 2h, 1d), @OFFSET or TOPIC:PARTITION@OFFSET"

    private static func offsets(_ text: String) throws(ParseError) -> Value {
        var every: Int64?
        var partitions: [KafkaTopicPartition: Int64] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = item.trimmingWhitespace
            guard let at = item.lastIndex(of: "@") else {
                throw ParseError(message: "\"\(item)\" in \"\(text)\" has no @OFFSET; " + forms)
            }
            guard let offset = Int64(item[item.index(after: at)...]), offset >= 0 else {
                throw ParseError(message: "\"\(item)\": the offset after @ must be a whole number, 0 or more")
            }
            let place = item[..<at]
            if place.isEmpty {
                guard every == nil else { throw ParseError(message: "\"\(text)\" gives @OFFSET for every partition twice") }
                every = offset
                continue
            }
            guard let colon = place.lastIndex(of: ":"), colon != place.startIndex,
                  let partition = Int32(place[place.index(after: colon)...]), partition >= 0
            else {
                throw ParseError(message: "\"\(item)\" is not TOPIC:PARTITION@OFFSET (e.g. loan.applications:0@42)")
            }
            let key = KafkaTopicPartition(topic: String(place[..<colon]), partition: partition)
            guard partitions[key] == nil else { throw ParseError(message: "\"\(text)\" names \(key) twice") }
            partitions[key] = offset
        }
        return .offsets(every: every, partitions: partitions)
    }

    /// This bound as where a read starts.
    func applyAsStart(to bounds: inout TopicSnapshotBounds) {
        switch value {
        case .time(let time): bounds.start = .time(time)
        case .offsets(let every, let partitions):
            bounds.start = every.map { .offset($0) }
            bounds.partitionStarts = partitions.mapValues { .offset($0) }
        }
    }

    /// This bound as where a read ends.
    func applyAsEnd(to bounds: inout TopicSnapshotBounds) {
        switch value {
        case .time(let time): bounds.end = .time(time)
        case .offsets(let every, let partitions):
            bounds.end = every.map { .offset($0) }
            bounds.partitionEnds = partitions.mapValues { .offset($0) }
        }
    }

    /// The bounds of a read `since` one bound and `until` another.
    package static func snapshotBounds(since: ReplayBound?, until: ReplayBound?) -> TopicSnapshotBounds {
        var bounds = TopicSnapshotBounds.everything
        since?.applyAsStart(to: &bounds)
        until?.applyAsEnd(to: &bounds)
        return bounds
    }
}

extension StringProtocol {
    fileprivate var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
