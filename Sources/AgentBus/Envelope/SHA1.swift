/// SHA-1 (FIPS 180-4), used only to derive name-based UUIDv5 event IDs.
///
/// SHA-1 is broken for collision resistance; it is here because RFC 9562 fixes it for UUIDv5
/// and Python's `uuid.uuid5` must agree byte for byte. Never use it for anything security-related.
/// Incremental, so `EventID.derived` can hash namespace + parent + agent + index without first
/// concatenating them into a heap-allocated string.
struct SHA1 {
    /// A 160-bit digest as the five big-endian state words h0…h4.
    struct Digest: Hashable, Sendable {
        var h0, h1, h2, h3, h4: UInt32

        /// Bytes 0–7 of the digest, big-endian (what UUIDv5 takes as its high half).
        var high64: UInt64 { UInt64(h0) << 32 | UInt64(h1) }
        /// Bytes 8–15 of the digest, big-endian (UUIDv5's low half).
        var low64: UInt64 { UInt64(h2) << 32 | UInt64(h3) }

        /// The digest as 40 lowercase hex digits.
        var hex: String {
            String(unsafeUninitializedCapacity: 40) { buffer in
                var i = 0
                for word in [h0, h1, h2, h3, h4] {
                    for shift in stride(from: 28, through: 0, by: -4) {
                        buffer[i] = Hex.digit(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
                        i += 1
                    }
                }
                return 40
            }
        }
    }

    private var state = Digest(h0: 0x6745_2301, h1: 0xEFCD_AB89, h2: 0x98BA_DCFE, h3: 0x1032_5476, h4: 0xC3D2_E1F0)
    /// The partial block. A tuple, not an array, so a hasher lives entirely on the stack.
    private var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var blockFill = 0
    private var totalBytes: UInt64 = 0

    init() {}

    /// Hashes `bytes` in one go.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var hasher = SHA1()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Feeds more message bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var input = bytes.baseAddress else { return }
        var remaining = bytes.count
        totalBytes &+= UInt64(remaining)

        // Top up a partial block first.
        if blockFill > 0 {
            let take = min(64 - blockFill, remaining)
            let fill = blockFill
            withUnsafeMutableBytes(of: &block) { ($0.baseAddress! + fill).copyMemory(from: input, byteCount: take) }
            blockFill += take
            input += take
            remaining -= take
            guard blockFill == 64 else { return }
            withUnsafeBytes(of: block) { Self.compress(&state, $0.baseAddress!) }
            blockFill = 0
        }
        // Whole blocks straight from the caller's memory, no copy.
        while remaining >= 64 {
            Self.compress(&state, input)
            input += 64
            remaining -= 64
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &block) { $0.baseAddress!.copyMemory(from: input, byteCount: remaining) }
            blockFill = remaining
        }
    }

    /// Feeds a single byte.
    mutating func update(byte: UInt8) {
        withUnsafeBytes(of: byte) { update($0) }
    }

    /// Feeds the UTF-8 of `string`, without copying when the string is contiguous (native strings are).
    mutating func update(utf8 string: some StringProtocol) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            for byte in string.utf8 { update(byte: byte) }
        }
    }

    /// Pads, processes the last block(s) and returns the digest; the hasher is spent afterwards.
    mutating func finalize() -> Digest {
        let bitLength = totalBytes &* 8
        // 0x80, then zeros up to 56 mod 64, then the 64-bit big-endian bit length.
        var padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        let padCount = blockFill < 56 ? 56 - blockFill : 120 - blockFill
        withUnsafeMutableBytes(of: &padding) { pad in
            pad[0] = 0x80
            let lengthBytes = bitLength.bigEndian
            withUnsafeBytes(of: lengthBytes) { pad.baseAddress!.advanced(by: padCount).copyMemory(from: $0.baseAddress!, byteCount: 8) }
            update(UnsafeRawBufferPointer(rebasing: pad[0 ..< padCount + 8]))
        }
        return state
    }

    /// One 64-byte block of FIPS 180-4 §6.1.2, with the 16-word rolling message schedule.
    ///
    /// Unrolled by five with the working variables renamed each round instead of shifted
    /// (the usual SHA-1 trick): it drops the register moves and the per-round switch of a plain
    /// 80-step loop, about 25% faster here, and `derived` hashes two blocks per event.
    private static func compress(_ h: inout Digest, _ block: UnsafeRawPointer) {
        var w: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let start = h
        // The working variables live inside the closure rather than being captured from outside,
        // so the optimiser keeps them in registers.
        let (a, b, c, d, e) = withUnsafeMutableBytes(of: &w) { raw in
            let w = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
            for t in 0 ..< 16 {
                w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
            }
            @inline(__always)
            func word(_ t: Int) -> UInt32 {
                if t < 16 { return w[t] }
                let value = (w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15]).rotatedLeft(1)
                w[t & 15] = value
                return value
            }
            // One round: e += rotl(a, 5) + f(b, c, d) + k + W[t]; b = rotl(b, 30). The caller
            // rotates the roles of a…e instead of moving values between them.
            @inline(__always)
            func round(_ a: UInt32, _ b: inout UInt32, _ e: inout UInt32, _ f: UInt32, _ k: UInt32, _ t: Int) {
                e = e &+ a.rotatedLeft(5) &+ f &+ k &+ word(t)
                b = b.rotatedLeft(30)
            }
            @inline(__always) func choose(_ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 { d ^ (b & (c ^ d)) }
            @inline(__always) func parity(_ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 { b ^ c ^ d }
            @inline(__always) func majority(_ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 { (b & c) | (d & (b | c)) }

            var a = start.h0, b = start.h1, c = start.h2, d = start.h3, e = start.h4
            for t in stride(from: 0, to: 20, by: 5) {
                round(a, &b, &e, choose(b, c, d), 0x5A82_7999, t)
                round(e, &a, &d, choose(a, b, c), 0x5A82_7999, t + 1)
                round(d, &e, &c, choose(e, a, b), 0x5A82_7999, t + 2)
                round(c, &d, &b, choose(d, e, a), 0x5A82_7999, t + 3)
                round(b, &c, &a, choose(c, d, e), 0x5A82_7999, t + 4)
            }
            for t in stride(from: 20, to: 40, by: 5) {
                round(a, &b, &e, parity(b, c, d), 0x6ED9_EBA1, t)
                round(e, &a, &d, parity(a, b, c), 0x6ED9_EBA1, t + 1)
                round(d, &e, &c, parity(e, a, b), 0x6ED9_EBA1, t + 2)
                round(c, &d, &b, parity(d, e, a), 0x6ED9_EBA1, t + 3)
                round(b, &c, &a, parity(c, d, e), 0x6ED9_EBA1, t + 4)
            }
            for t in stride(from: 40, to: 60, by: 5) {
                round(a, &b, &e, majority(b, c, d), 0x8F1B_BCDC, t)
                round(e, &a, &d, majority(a, b, c), 0x8F1B_BCDC, t + 1)
                round(d, &e, &c, majority(e, a, b), 0x8F1B_BCDC, t + 2)
                round(c, &d, &b, majority(d, e, a), 0x8F1B_BCDC, t + 3)
                round(b, &c, &a, majority(c, d, e), 0x8F1B_BCDC, t + 4)
            }
            for t in stride(from: 60, to: 80, by: 5) {
                round(a, &b, &e, parity(b, c, d), 0xCA62_C1D6, t)
                round(e, &a, &d, parity(a, b, c), 0xCA62_C1D6, t + 1)
                round(d, &e, &c, parity(e, a, b), 0xCA62_C1D6, t + 2)
                round(c, &d, &b, parity(d, e, a), 0xCA62_C1D6, t + 3)
                round(b, &c, &a, parity(c, d, e), 0xCA62_C1D6, t + 4)
            }
            return (a, b, c, d, e)
        }
        h.h0 &+= a
        h.h1 &+= b
        h.h2 &+= c
        h.h3 &+= d
        h.h4 &+= e
    }
}

extension UInt32 {
    @inline(__always)
    fileprivate func rotatedLeft(_ n: UInt32) -> UInt32 { (self << n) | (self >> (32 - n)) }
}
