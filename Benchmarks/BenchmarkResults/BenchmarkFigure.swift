/// One figure of a benchmark, as `make bench`'s one table shows it: what AgentBus measured, the
/// baseline measured beside it in the same run (raw librdkafka where one applies), and their
/// ratio. `scripts/bench-report.py` reads these, one JSON object a line.
public struct BenchmarkFigure: Sendable {
    /// Which way is good: throughput is better higher, latency and memory lower.
    public enum Better: String, Sendable {
        case higher
        case lower
    }

    /// The table's group: `kafka`, `events`, `hop`, `memory`, `journal`, `model`, `replay`.
    public let group: String
    /// A short name, such as `produce throughput`.
    public let figure: String
    public let value: Double
    /// `msg/s`, `events/s`, `ms`, `µs`, `s`, `MB`, ...
    public let unit: String
    public let better: Better
    /// What the value is compared with, in the same unit, measured in the same run; nil when
    /// nothing comparable runs beside it.
    public let baseline: (name: String, value: Double)?
    /// How it was measured: sizes, runs, statistic.
    public let detail: String

    public init(
        group: String, figure: String, value: Double, unit: String, better: Better,
        baseline: (name: String, value: Double)? = nil, detail: String
    ) {
        self.group = group
        self.figure = figure
        self.value = value
        self.unit = unit
        self.better = better
        self.baseline = baseline
        self.detail = detail
    }

    /// value / baseline; nil without a usable baseline.
    public var ratio: Double? {
        guard let baseline, baseline.value != 0, baseline.value.isFinite, value.isFinite else { return nil }
        return value / baseline.value
    }

    /// The figure as one line of JSON (no trailing newline).
    public var jsonLine: String {
        let baselineJSON = baseline.map { "{\"name\": \(Self.string($0.name)), \"value\": \(Self.number($0.value))}" }
        return "{\"group\": \(Self.string(group)), \"figure\": \(Self.string(figure)), "
            + "\"value\": \(Self.number(value)), \"unit\": \(Self.string(unit)), "
            + "\"better\": \(Self.string(better.rawValue)), \"baseline\": \(baselineJSON ?? "null"), "
            + "\"ratio\": \(ratio.map(Self.number) ?? "null"), \"detail\": \(Self.string(detail))}"
    }

    /// A JSON number; null for NaN and infinities, which JSON cannot carry.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A JSON string with the escapes JSON requires.
    static func string(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case "\r": escaped += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped + "\""
    }
}
