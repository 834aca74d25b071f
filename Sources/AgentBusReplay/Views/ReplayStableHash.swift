import AgentBus

/// A 64-bit FNV-1a hash over strings, for identifiers the exports must invent (span IDs of
/// handlings, trace IDs of events that carried no `traceparent`).
///
/// Not Swift's `Hasher`: that one is seeded per process, and an export must give the same IDs on
/// every run so that two exports of one workflow match and re-importing one does not duplicate
/// spans. FNV-1a is not cryptographic; it only has to spread distinct inputs.
struct ReplayStableHash {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    init() {}

    /// Hashes `parts`, each followed by a zero byte so that ("ab", "c") and ("a", "bc") differ.
    init(_ parts: String...) {
        for part in parts { combine(part) }
    }

    mutating func combine(_ part: String) {
        for byte in part.utf8 { mix(byte) }
        mix(0)
    }

    private mutating func mix(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    /// The hash, never zero: W3C Trace Context and OTLP treat an all-zero ID as "no ID".
    var nonZero: UInt64 { value == 0 ? 1 : value }

    /// `value` as 16 lowercase hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
