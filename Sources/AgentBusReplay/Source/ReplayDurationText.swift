import AgentBus

/// Durations as people type them in replay's options (`--stall-after`, `--skew`, ages in
/// `--since`): `500ms`, `30s`, `15m`, `2h`, `1d`, or several together (`1h30m`).
package enum ReplayDurationText {
    /// Milliseconds per unit, longest unit name first so `ms` is not read as `m` then `s`.
    private static let units: [(name: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// The milliseconds `text` stands for, or nil when it is not one or more whole numbers each
    /// followed by a unit (`ms`, `s`, `m`, `h`, `d`). A bare number is refused: `--since 30` could
    /// mean seconds, minutes or an offset.
    package static func milliseconds(_ text: String) -> Int64? {
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.name) }) else { return nil }
            rest = rest.dropFirst(unit.name.count)
            let (product, overflow) = number.multipliedReportingOverflow(by: unit.milliseconds)
            guard !overflow, total <= Int64.max - product else { return nil }
            total += product
        }
        return total
    }
}
