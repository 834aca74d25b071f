import AgentBus

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every string a replay log repeats (event IDs, correlation IDs, types, sources, topics, agent
/// names) stored once, and referred to by a dense `Int32` symbol.
///
/// A log of a million events names each ID two or three times (as an event, as a cause, in an
/// activity record); as symbols they cost four bytes each, compare in one instruction and index
/// plain arrays. Interning hashes the bytes as read, so no `String` is built until a view needs
/// the text.
struct ReplaySymbols: Sendable {
    /// "No symbol": an absent optional string.
    static let none: Int32 = -1

    /// The bytes of every symbol, back to back; symbol `s` is `arena[starts[s] ..< starts[s + 1]]`.
    private var arena: [UInt8] = []
    private var starts: [UInt32] = [0]
    private var hashes: [UInt32] = []
    /// Open addressing: symbol + 1, or 0 for an empty slot. The count is a power of two.
    private var slots: [Int32] = Array(repeating: 0, count: 1024)

    var count: Int { hashes.count }

    /// The symbol for `bytes`, added when new.
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let hash = Self.hash(bytes)
        var slot = Int(hash) & (slots.count - 1)
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let symbol = entry - 1
            if hashes[Int(symbol)] == hash, equals(symbol, bytes) { return symbol }
            slot = (slot + 1) & (slots.count - 1)
        }
        let symbol = Int32(count)
        arena.append(contentsOf: bytes)
        starts.append(UInt32(arena.count))
        hashes.append(hash)
        slots[slot] = symbol + 1
        if count * 2 > slots.count { grow() }
        return symbol
    }

    mutating func intern(_ string: String) -> Int32 {
        var string = string
        return string.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The symbol for `bytes` if it was interned; never adds one.
    func lookup(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        let hash = Self.hash(bytes)
        var slot = Int(hash) & (slots.count - 1)
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            let symbol = entry - 1
            if hashes[Int(symbol)] == hash, equals(symbol, bytes) { return symbol }
            slot = (slot + 1) & (slots.count - 1)
        }
    }

    func lookup(_ string: String) -> Int32? {
        var string = string
        return string.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    /// The text of `symbol`; nil for ``none``.
    func string(_ symbol: Int32) -> String? {
        guard symbol >= 0 else { return nil }
        return withBytes(symbol) { String(decoding: $0, as: UTF8.self) }
    }

    /// The text of a symbol known to be present.
    subscript(symbol: Int32) -> String { string(symbol) ?? "" }

    func withBytes<Result>(_ symbol: Int32, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        let start = Int(starts[Int(symbol)])
        let end = Int(starts[Int(symbol) + 1])
        return arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Whether `symbol`'s text ends with `suffix`.
    func hasSuffix(_ symbol: Int32, _ suffix: StaticString) -> Bool {
        withBytes(symbol) { bytes in
            let suffixBytes = UnsafeRawBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
            guard bytes.count >= suffixBytes.count else { return false }
            return bytes[(bytes.count - suffixBytes.count)...].elementsEqual(suffixBytes)
        }
    }

    private func equals(_ symbol: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = Int(starts[Int(symbol)])
        let end = Int(starts[Int(symbol) + 1])
        guard end - start == bytes.count else { return false }
        if bytes.isEmpty { return true }
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + start, bytes.baseAddress!, bytes.count) == 0 }
    }

    private mutating func grow() {
        var larger = [Int32](repeating: 0, count: slots.count * 2)
        for symbol in 0..<count {
            var slot = Int(hashes[symbol]) & (larger.count - 1)
            while larger[slot] != 0 { slot = (slot + 1) & (larger.count - 1) }
            larger[slot] = Int32(symbol) + 1
        }
        slots = larger
    }

    /// A fast 32-bit mix of the bytes, eight at a time; not for untrusted keys at scale, which
    /// a replay log is not (an adversarial log could at worst slow its own replay).
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }
}
