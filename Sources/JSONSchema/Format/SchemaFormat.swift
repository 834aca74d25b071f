/// A JSON Schema `format` that AgentBus asserts (draft 2020-12's format-assertion vocabulary).
///
/// The raw values are the format names, so the schema compiler looks a format up with
/// `SchemaFormat(rawValue:)` and rejects unknown names itself. Checking runs on every validated
/// event, so each checker reads UTF-8 bytes once, front to back, allocates nothing, and uses no
/// Foundation, Regex or date formatter. Every one of these formats is ASCII-only (internationalized
/// names are `idn-hostname`/`idn-email`, which AgentBus does not assert), so a byte above 0x7F
/// always makes a string invalid and "digit" and "letter" always mean the ASCII ones.
enum SchemaFormat: String, Sendable, CaseIterable {
    case dateTime = "date-time"
    case date
    case time
    case uuid
    case uri
    case uriReference = "uri-reference"
    case email
    case hostname
    case ipv4
    case ipv6
    case duration

    /// Whether `utf8`, a string's decoded content (valid UTF-8, no quotes), is in this format.
    func isValid(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .dateTime: Self.isDateTime(utf8)
        case .date: Self.isFullDate(utf8)
        case .time: Self.isFullTime(utf8)
        case .uuid: Self.isUUID(utf8)
        case .uri: Self.isURI(utf8)
        case .uriReference: Self.isURIReference(utf8)
        case .email: Self.isEmail(utf8)
        case .hostname: Self.isHostname(utf8)
        case .ipv4: Self.isIPv4(utf8)
        case .ipv6: Self.isIPv6(utf8)
        case .duration: Self.isDuration(utf8)
        }
    }

    /// Whether `string` is in this format. For callers without bytes at hand; a native string
    /// is read in place, others are made contiguous first.
    func isValid(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { isValid($0) }
    }
}

// MARK: - Bytes shared by the checkers

extension SchemaFormat {
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    static func isAlpha(_ byte: UInt8) -> Bool {
        // Setting bit 5 folds A-Z onto a-z and leaves no other byte in that range.
        (byte | 0x20) &- UInt8(ascii: "a") < 26
    }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || isAlpha(byte)
    }

    @inline(__always)
    static func isHexDigit(_ byte: UInt8) -> Bool {
        hexDigitBit(byte) != 0
    }

    /// 1 when `byte` is a hex digit, else 0, computed without a branch: in random hex, digit or
    /// letter is a coin toss, and a mispredicted branch costs more than the whole check.
    @inline(__always)
    static func hexDigitBit(_ byte: UInt8) -> UInt64 {
        let digits: UInt64 = 0x03FF_0000_0000_0000  // 0-9 = 0x30...0x39
        let letters: UInt64 = 0x0000_007E_0000_007E  // A-F = 0x41...0x46, a-f = 0x61...0x66
        let word = byte < 64 ? digits : letters
        let isASCII = UInt64(byte >> 7) ^ 1
        return (word >> UInt64(byte & 63)) & isASCII
    }

    /// `byte` with A-Z folded to a-z, for the letters that grammars match case-insensitively;
    /// compare only with a lowercase letter, since other bytes may fold onto non-letters.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte | 0x20
    }

    /// The slice `range` of `bytes` as a buffer of its own, so the checkers can call each other
    /// on parts (a hostname inside an e-mail address, an IPv6 address inside a URI).
    @inline(__always)
    static func slice(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[range])
    }

    /// The first index in `range` holding `byte`, or `range.upperBound`.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var index = range.lowerBound
        while index < range.upperBound && bytes[index] != byte { index += 1 }
        return index
    }
}
