/// A-label validation for the `hostname` format (IDNA2008: RFC 5890, 5891, 5892, 5893).
///
/// A label starting "xn--" claims to be Punycode (RFC 3492) for a Unicode label. It is valid
/// only if the Punycode decodes and the decoded U-label obeys the IDNA2008 rules: no hyphens in
/// the third and fourth positions or at either end, no leading combining mark, every code point
/// PVALID or contextual with its rule met, and the Bidi rule. The character data comes from
/// `IDNATable.swift` (generated; Unicode `unicodeVersion`).
///
/// Not checked: that the U-label is in Normalization Form C, which needs the Unicode composition
/// tables. Decoding needs no re-encoding check: a decodable Punycode string is the unique
/// encoding of its result, up to letter case, which A-labels ignore (RFC 5891 section 5.3
/// lowercases them first, as DNS names are case-insensitive).
enum IDNA {
    /// What a valid label means for RFC 5893's Bidi rule, which is decided over the whole name.
    struct LabelDirection {
        /// The label has a right-to-left character (Bidi_Class R, AL or AN), which makes the
        /// name a "Bidi domain name" whose every label must meet the rule.
        var isRightToLeft: Bool
        /// The label meets the six conditions of RFC 5893 section 2.
        var meetsBidiRule: Bool
    }

    /// Checks an A-label given without its "xn--" prefix (the caller has checked it is LDH).
    /// Returns nil when it is not a valid A-label.
    static func checkALabel(_ encoded: UnsafeBufferPointer<UInt8>) -> LabelDirection? {
        // At most 59 bytes follow "xn--" in a 63-byte label, and each decoded code point costs
        // at least one of them, so 64 slots always suffice (and stay on the stack).
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { buffer in
            guard let count = decodePunycode(encoded, into: buffer) else { return nil }
            return checkULabel(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    // MARK: - Punycode (RFC 3492 section 6.2)

    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
    private static let initialN = 128, initialBias = 72
    /// Far below Int's range, far above any value a valid label produces: a bound that makes
    /// RFC 3492's overflow checks simple comparisons.
    private static let limit = 1 << 32

    /// Decodes `encoded` into `output`; returns the number of code points, or nil when the input
    /// is not valid Punycode or the result would not fit.
    static func decodePunycode(_ encoded: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt32>) -> Int? {
        let count = encoded.count
        guard count > 0 else { return nil }

        // Basic code points come first, up to the last delimiter; lowercased, since the A-label
        // is (RFC 5891 section 5.3) and Punycode's case annotations mean nothing to IDNA.
        var basicCount = 0
        if let delimiter = encoded.lastIndex(of: UInt8(ascii: "-")) {
            basicCount = delimiter
        }
        guard basicCount <= output.count else { return nil }
        for index in 0..<basicCount {
            let byte = encoded[index]
            output[index] = UInt32(SchemaFormat.isAlpha(byte) ? SchemaFormat.lowercased(byte) : byte)
        }
        var outputCount = basicCount

        // Deltas follow the delimiter, or start at the beginning when there are no basic code
        // points (so a leading "-" is an invalid digit, as the encoder never writes one).
        var position = basicCount > 0 ? basicCount + 1 : 0
        var n = initialN, i = 0, bias = initialBias
        while position < count {
            let oldI = i
            var weight = 1
            var k = base
            while true {
                guard position < count, let digit = punycodeDigit(encoded[position]) else { return nil }
                position += 1
                i += digit * weight
                guard i < limit else { return nil }
                let threshold = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < threshold { break }
                weight *= base - threshold
                guard weight < limit else { return nil }
                k += base
            }
            bias = adapt(delta: i - oldI, pointCount: outputCount + 1, isFirst: oldI == 0)
            n += i / (outputCount + 1)
            i %= outputCount + 1
            guard n <= 0x10FFFF, outputCount < output.count else { return nil }

            // Insert n at i.
            var index = outputCount
            while index > i {
                output[index] = output[index - 1]
                index -= 1
            }
            output[i] = UInt32(n)
            outputCount += 1
            i += 1
        }
        return outputCount
    }

    private static func punycodeDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0")) + 26
        default: nil
        }
    }

    private static func adapt(delta: Int, pointCount: Int, isFirst: Bool) -> Int {
        var delta = isFirst ? delta / damp : delta / 2
        delta += delta / pointCount
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    // MARK: - U-label rules

    private static let hyphen = UInt32(UInt8(ascii: "-"))

    static func checkULabel(_ label: UnsafeBufferPointer<UInt32>) -> LabelDirection? {
        let count = label.count
        guard count > 0 else { return nil }

        // An A-label must stand for a label that needs one: all-ASCII results are fakes.
        guard label.contains(where: { $0 > 0x7F }) else { return nil }

        // RFC 5891 section 4.2.3.1: "--" in positions 3 and 4 is reserved for prefixes like
        // "xn--", and labels neither start nor end with a hyphen.
        guard label[0] != hyphen, label[count - 1] != hyphen else { return nil }
        if count >= 4 && label[2] == hyphen && label[3] == hyphen { return nil }

        // Section 4.2.3.2: a combining mark has nothing to combine with at the start.
        guard !properties(of: label[0]).isCombiningMark else { return nil }

        // Section 4.2.3.3 and RFC 5892: each code point by its IDNA2008 property, and the Bidi
        // rule's facts gathered in the same pass.
        var bidi = BidiState()
        for position in 0..<count {
            let props = properties(of: label[position])
            switch props.idnaClass {
            case .pvalid:
                break
            case .contextJ:
                guard meetsContextJ(label, at: position) else { return nil }
            case .contextO:
                guard meetsContextO(label, at: position) else { return nil }
            case .notPermitted:
                return nil
            }
            bidi.add(props.bidiClass, isFirst: position == 0)
        }
        return LabelDirection(isRightToLeft: bidi.hasRightToLeft, meetsBidiRule: bidi.meetsRule)
    }

    /// RFC 5892 appendix A.1 and A.2: ZERO WIDTH NON-JOINER and JOINER only where they change
    /// how a script renders.
    private static func meetsContextJ(_ label: UnsafeBufferPointer<UInt32>, at position: Int) -> Bool {
        // Both are allowed right after a virama.
        if position > 0 && properties(of: label[position - 1]).isVirama { return true }
        guard label[position] == 0x200C else { return false }  // ZWJ needs the virama

        // ZWNJ also between a left- or dual-joining and a right- or dual-joining character,
        // with transparent ones (marks) skipped: (L|D) T* ZWNJ T* (R|D).
        var before = position - 1
        while before >= 0 && properties(of: label[before]).joiningType == .transparent { before -= 1 }
        guard before >= 0 else { return false }
        let left = properties(of: label[before]).joiningType
        guard left == .left || left == .dual else { return false }

        var after = position + 1
        while after < label.count && properties(of: label[after]).joiningType == .transparent { after += 1 }
        guard after < label.count else { return false }
        let right = properties(of: label[after]).joiningType
        return right == .right || right == .dual
    }

    /// RFC 5892 appendix A.3 to A.9: punctuation and digits valid only in their own context.
    private static func meetsContextO(_ label: UnsafeBufferPointer<UInt32>, at position: Int) -> Bool {
        let count = label.count
        switch label[position] {
        case 0x00B7:
            // MIDDLE DOT, only in Catalan "l·l".
            let l = UInt32(UInt8(ascii: "l"))
            return position > 0 && position + 1 < count && label[position - 1] == l && label[position + 1] == l
        case 0x0375:
            // GREEK LOWER NUMERAL SIGN (KERAIA), only before a Greek character.
            return position + 1 < count && properties(of: label[position + 1]).script == .greek
        case 0x05F3, 0x05F4:
            // HEBREW PUNCTUATION GERESH and GERSHAYIM, only after a Hebrew character.
            return position > 0 && properties(of: label[position - 1]).script == .hebrew
        case 0x30FB:
            // KATAKANA MIDDLE DOT, only in a label with Hiragana, Katakana or Han.
            return label.contains { codePoint in
                switch properties(of: codePoint).script {
                case .hiragana, .katakana, .han: true
                default: false
                }
            }
        case 0x0660...0x0669:
            // ARABIC-INDIC DIGITS, never mixed with the extended ones.
            return !label.contains { (0x06F0...0x06F9).contains($0) }
        case 0x06F0...0x06F9:
            // EXTENDED ARABIC-INDIC DIGITS, never mixed with the plain ones.
            return !label.contains { (0x0660...0x0669).contains($0) }
        default:
            return false
        }
    }

    /// RFC 5893 section 2, one code point at a time.
    private struct BidiState {
        var hasRightToLeft = false
        /// Decided by the first character: R or AL starts a right-to-left label, L a
        /// left-to-right one, anything else breaks condition 1.
        var isRightToLeftLabel = false
        var meetsAllButEnding = true
        /// Whether the last character that is not NSM may end the label (conditions 3 and 6).
        var endsWell = false
        var hasEuropeanNumber = false, hasArabicNumber = false

        var meetsRule: Bool {
            meetsAllButEnding && endsWell && !(isRightToLeftLabel && hasEuropeanNumber && hasArabicNumber)
        }

        mutating func add(_ bidi: BidiClass, isFirst: Bool) {
            if bidi == .r || bidi == .al || bidi == .an { hasRightToLeft = true }
            if isFirst {
                switch bidi {
                case .r, .al: isRightToLeftLabel = true
                case .l: isRightToLeftLabel = false
                default: meetsAllButEnding = false
                }
            }
            if isRightToLeftLabel {
                // Conditions 2, 3 and 4.
                switch bidi {
                case .r, .al: endsWell = true
                case .en: endsWell = true; hasEuropeanNumber = true
                case .an: endsWell = true; hasArabicNumber = true
                case .es, .cs, .et, .on, .bn: endsWell = false
                case .nsm: break
                default: meetsAllButEnding = false
                }
            } else {
                // Conditions 5 and 6.
                switch bidi {
                case .l, .en: endsWell = true
                case .es, .cs, .et, .on, .bn: endsWell = false
                case .nsm: break
                default: meetsAllButEnding = false
                }
            }
        }
    }

    // MARK: - Character properties

    enum IDNAClass: UInt16 {
        /// DISALLOWED or UNASSIGNED (or newer than the table).
        case notPermitted = 0
        case pvalid = 1
        case contextJ = 2
        case contextO = 3
    }

    enum JoiningType: UInt16 {
        case none = 0, left, right, dual, transparent, joinCausing, unknown
    }

    enum BidiClass: UInt16 {
        case unknown = 0, l, r, al, an, en, es, cs, et, on, bn, nsm
        case other = 15
    }

    enum Script: UInt16 {
        case other = 0, greek, hebrew, hiragana, katakana, han, unknown
    }

    /// One code point's entry in the table, bit-packed as the generator writes it:
    /// bits 0-1 IDNA class, 2 combining mark, 3 virama, 4-6 joining type, 7-10 Bidi class,
    /// 11-13 script.
    struct Properties: Equatable {
        var bits: UInt16

        init(bits: UInt16) {
            self.bits = bits
        }

        /// A PVALID code point with no other property but its Bidi class, as all of ASCII's are.
        init(pvalidWith bidiClass: BidiClass) {
            bits = IDNAClass.pvalid.rawValue | bidiClass.rawValue << 7
        }

        var idnaClass: IDNAClass { IDNAClass(rawValue: bits & 0x3) ?? .notPermitted }
        var isCombiningMark: Bool { bits & 0x4 != 0 }
        var isVirama: Bool { bits & 0x8 != 0 }
        var joiningType: JoiningType { JoiningType(rawValue: (bits >> 4) & 0x7) ?? .unknown }
        var bidiClass: BidiClass { BidiClass(rawValue: (bits >> 7) & 0xF) ?? .unknown }
        var script: Script { Script(rawValue: (bits >> 11) & 0x7) ?? .unknown }
    }

    static func properties(of codePoint: UInt32) -> Properties {
        // ASCII is much of a typical U-label ("bücher" is five-sixths ASCII), and only LDH
        // characters are permitted there: answer without the search.
        guard codePoint >= 0x80 else {
            switch UInt8(codePoint) {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return Properties(pvalidWith: .l)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return Properties(pvalidWith: .en)
            case UInt8(ascii: "-"): return Properties(pvalidWith: .es)
            default: return Properties(bits: 0)
            }
        }
        return tableProperties(of: codePoint)
    }

    /// The properties of `codePoint`, by binary search over the table's runs.
    static func tableProperties(of codePoint: UInt32) -> Properties {
        let table = runs
        return table.withUTF8Buffer { text in
            // The last run starting at or before the code point; run 0 starts at 0.
            var low = 0, high = runCount - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if hex(text, at: middle * 10, digits: 6) <= codePoint {
                    low = middle
                } else {
                    high = middle - 1
                }
            }
            return Properties(bits: UInt16(hex(text, at: low * 10 + 6, digits: 4)))
        }
    }

    /// The value of `digits` uppercase hex digits at `offset`; the generator writes no others.
    private static func hex(_ text: UnsafeBufferPointer<UInt8>, at offset: Int, digits: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in offset..<(offset + digits) {
            let byte = text[index]
            let nibble = byte <= UInt8(ascii: "9") ? byte &- UInt8(ascii: "0") : byte &- UInt8(ascii: "A") &+ 10
            value = value << 4 | UInt32(nibble)
        }
        return value
    }
}
