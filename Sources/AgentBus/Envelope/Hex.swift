/// Lowercase hexadecimal, byte by byte, for the envelope's identifiers.
///
/// Hand-rolled because `String(_:radix:)` allocates per call and cannot zero-pad, and the
/// envelope formats an ID for every published event.
enum Hex {
    /// The ASCII lowercase hex digit for the low four bits of `nibble` (the high bits are ignored).
    @inline(__always)
    static func digit(_ nibble: UInt8) -> UInt8 {
        let n = nibble & 0xF
        return n < 10 ? 0x30 + n : 0x57 + n // "0" + n, or "a" + n - 10
    }

    /// The value of an ASCII hex digit, or nil. `allowUppercase: false` is W3C traceparent's rule.
    @inline(__always)
    static func value(_ ascii: UInt8, allowUppercase: Bool) -> UInt8? {
        switch ascii {
        case 0x30 ... 0x39: ascii - 0x30
        case 0x61 ... 0x66: ascii - 0x57
        case 0x41 ... 0x46 where allowUppercase: ascii - 0x37
        default: nil
        }
    }

    /// Writes `digits` lowercase hex digits of `value` (most significant first) at `offset`.
    @inline(__always)
    static func write(_ value: UInt64, digits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        for i in 0 ..< digits {
            buffer[offset + i] = digit(UInt8(truncatingIfNeeded: value >> UInt64(4 * (digits - 1 - i))))
        }
    }

    /// Reads `digits` hex digits starting at `offset` as a big-endian number, or nil on a non-hex byte.
    @inline(__always)
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, digits: Int, allowUppercase: Bool) -> UInt64? {
        var result: UInt64 = 0
        for i in offset ..< offset + digits {
            guard let v = value(bytes[i], allowUppercase: allowUppercase) else { return nil }
            result = result << 4 | UInt64(v)
        }
        return result
    }
}
