/// A W3C Trace Context `traceparent` header (version 00): which trace an event belongs to and
/// which span caused it.
///
/// Parsing is strict, as the W3C Trace Context recommendation requires, because a sloppy parser
/// would forward garbage that downstream tracers then reject: lowercase hex only, exact field
/// lengths, all-zero trace or parent IDs and version `ff` refused. A header of a future version is
/// read leniently as the spec asks, and re-emitted as version 00.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// Bytes 0–7 of the 16-byte trace ID, big-endian.
    public let traceIDHigh: UInt64
    /// Bytes 8–15 of the 16-byte trace ID, big-endian.
    public let traceIDLow: UInt64
    /// The 8-byte span ID; the header calls it `parent-id` because to the receiver it is the
    /// span of the caller, the parent of whatever span the receiver starts.
    public let spanID: UInt64
    /// The trace flags byte; bit 0 is `sampled`. On a version-00 header the other bits (such as
    /// Level 2's `random`, 0x02) are kept as received; from a future version only `sampled` is kept.
    public let flags: UInt8

    /// Whether the caller may have recorded this trace (flag bit 0).
    public var isSampled: Bool { flags & 0x01 != 0 }

    /// Builds a traceparent from its fields; nil if the trace ID or span ID is all zeros, which
    /// W3C Trace Context forbids.
    public init?(traceIDHigh: UInt64, traceIDLow: UInt64, spanID: UInt64, flags: UInt8) {
        guard traceIDHigh | traceIDLow != 0, spanID != 0 else { return nil }
        self.traceIDHigh = traceIDHigh
        self.traceIDLow = traceIDLow
        self.spanID = spanID
        self.flags = flags
    }

    /// Starts a new trace: random trace ID and span ID from the kernel CSPRNG.
    public static func newRoot(sampled: Bool = true) -> TraceParent {
        // Only the trace ID as a whole must be non-zero; both halves are non-zero here, harmlessly.
        TraceParent(
            traceIDHigh: SecureRandom.nextNonZero(), traceIDLow: SecureRandom.nextNonZero(),
            spanID: SecureRandom.nextNonZero(), flags: sampled ? 0x01 : 0x00)!
    }

    /// A span caused by this one: same trace and flags, new random span ID.
    ///
    /// Put the result on the events you emit; `self` is the span you are handling.
    public func child() -> TraceParent {
        TraceParent(traceIDHigh: traceIDHigh, traceIDLow: traceIDLow, spanID: SecureRandom.nextNonZero(), flags: flags)!
    }

    // MARK: Text

    /// Parses a `traceparent` header value strictly per W3C Trace Context.
    ///
    /// Version 00 must be exactly `00-<32 hex>-<16 hex>-<2 hex>`. A higher version (not `ff`) is
    /// accepted when its first 55 characters have that shape and are followed by `-` or the end;
    /// anything after is ignored, and only the sampled flag is kept, since the meaning of the
    /// other flag bits may have changed. No whitespace trimming: that is the transport's job.
    public init?(_ header: String) {
        let parsed: TraceParent?? = header.utf8.withContiguousStorageIfAvailable(Self.parse)
        guard let result = parsed ?? Array(header.utf8).withUnsafeBufferPointer(Self.parse) else { return nil }
        self = result
    }

    package static func parse(_ s: UnsafeBufferPointer<UInt8>) -> TraceParent? {
        guard s.count >= 55,
              let version = Hex.read(s, at: 0, digits: 2, allowUppercase: false), version != 0xFF,
              s[2] == UInt8(ascii: "-"), s[35] == UInt8(ascii: "-"), s[52] == UInt8(ascii: "-"),
              let high = Hex.read(s, at: 3, digits: 16, allowUppercase: false),
              let low = Hex.read(s, at: 19, digits: 16, allowUppercase: false),
              let span = Hex.read(s, at: 36, digits: 16, allowUppercase: false),
              let flags = Hex.read(s, at: 53, digits: 2, allowUppercase: false)
        else { return nil }
        if version == 0 {
            guard s.count == 55 else { return nil }
            return TraceParent(traceIDHigh: high, traceIDLow: low, spanID: span, flags: UInt8(flags))
        }
        guard s.count == 55 || s[55] == UInt8(ascii: "-") else { return nil }
        return TraceParent(traceIDHigh: high, traceIDLow: low, spanID: span, flags: UInt8(flags) & 0x01)
    }

    /// The version-00 header value, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
    public var description: String {
        String(unsafeUninitializedCapacity: 55) { b in
            b[0] = UInt8(ascii: "0")
            b[1] = UInt8(ascii: "0")
            b[2] = UInt8(ascii: "-")
            Hex.write(traceIDHigh, digits: 16, into: b, at: 3)
            Hex.write(traceIDLow, digits: 16, into: b, at: 19)
            b[35] = UInt8(ascii: "-")
            Hex.write(spanID, digits: 16, into: b, at: 36)
            b[52] = UInt8(ascii: "-")
            Hex.write(UInt64(flags), digits: 2, into: b, at: 53)
            return 55
        }
    }

    /// The trace ID as 32 lowercase hex digits, as tracing backends display it.
    public var traceIDHex: String {
        String(unsafeUninitializedCapacity: 32) { b in
            Hex.write(traceIDHigh, digits: 16, into: b, at: 0)
            Hex.write(traceIDLow, digits: 16, into: b, at: 16)
            return 32
        }
    }

    /// The span ID (the header's `parent-id`) as 16 lowercase hex digits.
    public var spanIDHex: String {
        String(unsafeUninitializedCapacity: 16) { b in
            Hex.write(spanID, digits: 16, into: b, at: 0)
            return 16
        }
    }
}
