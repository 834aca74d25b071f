// `ipv4` and `ipv6`: the address forms of RFC 2673 section 3.2 (dotted quad) and RFC 4291
// section 2.2, as RFC 3986 section 3.2.2 writes them in ABNF:
//
//   IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet
//   dec-octet   = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35
//   IPv6address = up to eight h16 (1*4HEXDIG) joined by ":", at most one "::" standing for one
//                 or more zero groups, and optionally an IPv4address in place of the last two
//
// So no leading zeros in IPv4 octets (they read as octal in some parsers), no shorthand like
// "127.1", and no IPv6 zone id ("%eth0"), prefix length or brackets.

extension SchemaFormat {
    static func isIPv4(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        var index = 0
        for part in 0..<4 {
            if part > 0 {
                guard index < count, bytes[index] == UInt8(ascii: ".") else { return false }
                index += 1
            }
            let start = index
            var value = 0
            while index < count, index - start < 3, isDigit(bytes[index]) {
                value = value * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                index += 1
            }
            let digits = index - start
            guard digits > 0, value <= 255, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return false }
        }
        return index == count
    }

    static func isIPv6(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count >= 2 else { return false }
        // Groups written out; a trailing IPv4 address counts as two.
        var groups = 0
        var compressed = false
        var index = 0

        // A leading colon is only valid as the start of "::".
        if bytes[0] == UInt8(ascii: ":") {
            guard bytes[1] == UInt8(ascii: ":") else { return false }
            compressed = true
            index = 2
        }

        while index < count {
            // One group: hex digits up to the next ":" (or a "." that makes it an IPv4 tail).
            let start = index
            while index < count && isHexDigit(bytes[index]) { index += 1 }
            if index < count && bytes[index] == UInt8(ascii: ".") {
                // The IPv4 tail runs to the end; its first octet was read as hex digits above.
                guard isIPv4(slice(bytes, start..<count)) else { return false }
                groups += 2
                break
            }
            let digits = index - start
            guard digits >= 1, digits <= 4 else { return false }
            groups += 1
            guard groups <= 8 else { return false }
            if index == count { break }

            guard bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            if index < count && bytes[index] == UInt8(ascii: ":") {
                guard !compressed else { return false }
                compressed = true
                index += 1
            } else if index == count {
                return false  // a single trailing colon
            }
        }
        // "::" stands for at least one zero group, so with it at most seven are written out.
        return compressed ? groups <= 7 : groups == 8
    }
}
