#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A UUID that AgentBus generates for an event's CloudEvents `id` (`ce_id`).
///
/// Stored as 16 bytes and printed in the canonical lowercase 8-4-4-4-12 form. AgentBus makes two
/// kinds: time-ordered UUIDv7 for fresh events (`random()`), and name-based UUIDv5 for events an
/// agent derives from another (`derived(from:agent:type:index:)` and `derived(from:agent:type:name:)`),
/// so a retried handler emits the same IDs and consumers can deduplicate.
///
/// Not every `ce_id` is an `EventID`: CloudEvents allows any non-empty string and foreign producers
/// use whatever they like, so the envelope keeps `ce_id` as a `String`.
///
/// Ordering (`<`) is byte order, which for v7 IDs from one process is generation order.
public struct EventID: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    /// Bytes 0–7, big-endian.
    let high: UInt64
    /// Bytes 8–15, big-endian.
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The AgentBus namespace for derived IDs: 413f799d-ac9b-5f74-be08-fbe56004a6c1.
    ///
    /// Derived once as `uuid.uuid5(uuid.NAMESPACE_URL, "https://agentbus.dev/ns/event-id")`, i.e.
    /// UUIDv5 of that URL under RFC 9562's URL namespace 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
    /// Changing it changes every derived ID ever produced, so it is fixed forever.
    public static let namespace = EventID(high: 0x413F_799D_AC9B_5F74, low: 0xBE08_FBE5_6004_A6C1)

    // MARK: UUIDv7

    /// The last 60-bit timestamp handed out: 48 bits of Unix milliseconds, then 12 bits of
    /// sub-millisecond fraction (RFC 9562 §6.2 method 3). Kept so IDs from this process strictly
    /// increase even when two land in the same ~244 ns tick or the clock steps back a little.
    private static let lastTimestamp = Atomic<UInt64>(0)

    /// A clock step back larger than this (in 60-bit timestamp units: one second) is believed,
    /// rather than papered over by counting on from the old time, so IDs never drift far from
    /// real time after a large clock correction.
    private static let maximumRollback: UInt64 = 1000 << 12

    /// A new time-ordered UUIDv7 (RFC 9562).
    ///
    /// Layout: 48-bit Unix milliseconds, version 7, 12 bits of sub-millisecond clock fraction,
    /// variant `10`, 62 bits from the kernel CSPRNG. Within one process the IDs strictly increase,
    /// so a producer's events sort in the order it made them; across processes they sort by
    /// millisecond. Costs a clock read, one atomic compare-and-swap and a lock; no allocation.
    public static func random() -> EventID {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let milliseconds = UInt64(truncatingIfNeeded: ts.tv_sec) &* 1000 &+ UInt64(ts.tv_nsec / 1_000_000)
        // The remaining 0..<1_000_000 ns scaled to 0..<4096.
        let fraction = (UInt64(ts.tv_nsec % 1_000_000) << 12) / 1_000_000
        let now = (milliseconds & 0xFFFF_FFFF_FFFF) << 12 | fraction

        var last = lastTimestamp.load(ordering: .relaxed)
        var stamp: UInt64
        while true {
            stamp = now > last || last - now > maximumRollback ? now : last &+ 1
            let (exchanged, original) = lastTimestamp.compareExchange(
                expected: last, desired: stamp, ordering: .relaxed)
            if exchanged { break }
            last = original
        }

        let high = (stamp >> 12) << 16 | 0x7000 | (stamp & 0xFFF)
        let low = 0x8000_0000_0000_0000 | (SecureRandom.next() >> 2)
        return EventID(high: high, low: low)
    }

    // MARK: UUIDv5

    /// The deterministic ID of the `index`th event, of any type, that `agent` emits while
    /// handling `parent`. The runtime's outputs use ``derived(from:agent:type:index:)`` and
    /// ``derived(from:agent:type:name:)`` instead, whose IDs do not depend on the order in which
    /// outputs of different types were published; this one stays for IDs derived before.
    ///
    /// A UUIDv5 (RFC 9562, SHA-1) in `EventID.namespace` over the UTF-8 name
    /// `"<parent>/<agent>/<index>"`, with `index` in plain decimal. Because it is the standard
    /// algorithm, a Python agent computes the same ID with
    ///
    ///     uuid.uuid5(uuid.UUID("413f799d-ac9b-5f74-be08-fbe56004a6c1"), f"{parent}/{agent}/{index}")
    ///
    /// `parent` is the parent's `ce_id` exactly as received (any string, not necessarily a UUID).
    /// The name is not escaped, so `("a/b", "c", 0)` and `("a", "b/c", 0)` give the same ID; agent
    /// names are not expected to contain `/`. Hashes in place, without building the name string.
    public static func derived(from parent: String, agent: String, index: Int) -> EventID {
        derive { sha in
            updateSegments(&sha, parent, agent)
            updateDecimal(&sha, index)
        }
    }

    /// The deterministic ID of the `index`th output of type `type` that `agent` emits while
    /// handling `parent`: what ``HandlerContext/publish(_:key:name:)`` uses.
    ///
    /// A UUIDv5 in `EventID.namespace` over `"<parent>/<agent>/<type>/<index>"`, `index` in plain
    /// decimal; in Python:
    ///
    ///     uuid.uuid5(uuid.UUID("413f799d-ac9b-5f74-be08-fbe56004a6c1"), f"{parent}/{agent}/{type}/{index}")
    ///
    /// Counting within one type, rather than across all outputs, keeps the IDs of outputs of
    /// different types independent of the order in which they were published.
    public static func derived(from parent: String, agent: String, type: String, index: Int) -> EventID {
        derive { sha in
            updateSegments(&sha, parent, agent, type)
            updateDecimal(&sha, index)
        }
    }

    /// The deterministic ID of the output of type `type` that `agent` named `name` while
    /// handling `parent`.
    ///
    /// A UUIDv5 in `EventID.namespace` over `"<parent>/<agent>/<type>/#<name>"`: the `#` keeps
    /// a name such as `"0"` apart from the first unnamed output of the type.
    public static func derived(from parent: String, agent: String, type: String, name: String) -> EventID {
        derive { sha in
            updateSegments(&sha, parent, agent, type)
            sha.update(byte: UInt8(ascii: "#"))
            sha.update(utf8: name)
        }
    }

    /// A UUIDv5 in `EventID.namespace` over the name that `name` feeds to the hash.
    /// Hashes `"<parent>/<agent>/"`, then `"<type>/"` when given: the common start of every
    /// derived name (fixed parameters, not a variadic list, so nothing is allocated per output).
    private static func updateSegments(_ sha: inout SHA1, _ parent: String, _ agent: String, _ type: String? = nil) {
        sha.update(utf8: parent)
        sha.update(byte: UInt8(ascii: "/"))
        sha.update(utf8: agent)
        sha.update(byte: UInt8(ascii: "/"))
        if let type {
            sha.update(utf8: type)
            sha.update(byte: UInt8(ascii: "/"))
        }
    }

    private static func derive(_ name: (inout SHA1) -> Void) -> EventID {
        var sha = SHA1()
        withUnsafeBytes(of: (namespace.high.bigEndian, namespace.low.bigEndian)) { sha.update($0) }
        name(&sha)
        let digest = sha.finalize()
        return EventID(
            high: digest.high64 & ~0xF000 | 0x5000,
            low: digest.low64 & ~(0xC000_0000_0000_0000 as UInt64) | 0x8000_0000_0000_0000)
    }

    /// Hashes `index` in plain decimal without building a string.
    private static func updateDecimal(_ sha: inout SHA1, _ index: Int) {
        // Decimal digits of index, written backwards into a stack buffer; 20 digits + sign fit Int64.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var position = buffer.count
            var magnitude = index.magnitude
            repeat {
                position -= 1
                buffer[position] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if index < 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "-")
            }
            sha.update(UnsafeRawBufferPointer(rebasing: buffer[position...]))
        }
    }

    // MARK: Text

    /// Parses the 36-character 8-4-4-4-12 UUID form, in any letter case.
    ///
    /// Any UUID is accepted, whatever its version; braces, `urn:uuid:` and the 32-digit unhyphenated
    /// form are not.
    public init?(_ description: String) {
        let parsed: EventID?? = description.utf8.withContiguousStorageIfAvailable(Self.parse)
        guard let result = parsed ?? Array(description.utf8).withUnsafeBufferPointer(Self.parse) else {
            return nil
        }
        self = result
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> EventID? {
        guard text.count == 36,
              text[8] == UInt8(ascii: "-"), text[13] == UInt8(ascii: "-"),
              text[18] == UInt8(ascii: "-"), text[23] == UInt8(ascii: "-"),
              let a = Hex.read(text, at: 0, digits: 8, allowUppercase: true),
              let b = Hex.read(text, at: 9, digits: 4, allowUppercase: true),
              let c = Hex.read(text, at: 14, digits: 4, allowUppercase: true),
              let d = Hex.read(text, at: 19, digits: 4, allowUppercase: true),
              let e = Hex.read(text, at: 24, digits: 12, allowUppercase: true)
        else { return nil }
        return EventID(high: a << 32 | b << 16 | c, low: d << 48 | e)
    }

    /// The canonical lowercase form, e.g. `0190a5b2-7c3e-7def-8abc-0123456789ab`.
    public var description: String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            Hex.write(high >> 32, digits: 8, into: buffer, at: 0)
            buffer[8] = UInt8(ascii: "-")
            Hex.write(high >> 16, digits: 4, into: buffer, at: 9)
            buffer[13] = UInt8(ascii: "-")
            Hex.write(high, digits: 4, into: buffer, at: 14)
            buffer[18] = UInt8(ascii: "-")
            Hex.write(low >> 48, digits: 4, into: buffer, at: 19)
            buffer[23] = UInt8(ascii: "-")
            Hex.write(low, digits: 12, into: buffer, at: 24)
            return 36
        }
    }

    /// Byte order (equivalently, order of the lowercase text): for v7 IDs, time order.
    public static func < (lhs: EventID, rhs: EventID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    // MARK: Fields, for tests and diagnostics

    /// The RFC 9562 version nibble (7 for `random()`, 5 for `derived`).
    var version: Int { Int(high >> 12 & 0xF) }

    /// The top two variant bits (0b10 for RFC 9562 UUIDs).
    var variantBits: Int { Int(low >> 62) }

    /// For a UUIDv7, its Unix-millisecond timestamp.
    var unixMilliseconds: Int64 { Int64(high >> 16) }
}
