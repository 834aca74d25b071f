// `email`: RFC 5321 section 4.1.2 `Mailbox`, the address itself (no display name or comments).
//
//   Mailbox          = Local-part "@" ( Domain / address-literal )
//   Local-part       = Dot-string / Quoted-string          ; at most 64 bytes (section 4.5.3.1.1)
//   Dot-string       = Atom *( "." Atom )                  ; Atom = 1*atext (RFC 5322)
//   Quoted-string    = DQUOTE *( qtextSMTP / "\" %d32-126 ) DQUOTE
//   qtextSMTP        = %d32-33 / %d35-91 / %d93-126        ; printable ASCII but " and \
//   address-literal  = "[" ( IPv4-address-literal / "IPv6:" IPv6-addr ) "]"
//
// The Domain is checked as a `hostname`. RFC 5321's General-address-literal ("tag:content") is
// rejected: it needs a tag registered with IANA, and none is but IPv6.

extension SchemaFormat {
    static func isEmail(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let at = localPartEnd(bytes), at <= 64, at + 1 < bytes.count else { return false }
        let domain = slice(bytes, (at + 1)..<bytes.count)

        guard domain[0] == UInt8(ascii: "[") else { return isHostname(domain) }
        guard domain[domain.count - 1] == UInt8(ascii: "]") else { return false }
        let literal = slice(domain, 1..<(domain.count - 1))
        // "IPv6:" is an ABNF string, so any case.
        if literal.count > 5, lowercased(literal[0]) == UInt8(ascii: "i"), lowercased(literal[1]) == UInt8(ascii: "p"),
           lowercased(literal[2]) == UInt8(ascii: "v"), literal[3] == UInt8(ascii: "6"), literal[4] == UInt8(ascii: ":") {
            return isIPv6(slice(literal, 5..<literal.count))
        }
        return isIPv4(literal)
    }

    /// The index of the "@" after a valid local part, or nil.
    private static func localPartEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        guard count > 0 else { return nil }
        var index = 0

        if bytes[0] == UInt8(ascii: "\"") {
            index = 1
            while index < count && bytes[index] != UInt8(ascii: "\"") {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") {
                    // quoted-pairSMTP: a backslash and any printable ASCII character.
                    guard index + 1 < count, (32...126).contains(bytes[index + 1]) else { return nil }
                    index += 2
                } else {
                    guard (32...126).contains(byte) else { return nil }
                    index += 1
                }
            }
            guard index < count else { return nil }  // no closing quote
            index += 1
        } else {
            // Atoms joined by single dots: no dot first, last or doubled.
            var atomStart = 0
            while index < count && bytes[index] != UInt8(ascii: "@") {
                if bytes[index] == UInt8(ascii: ".") {
                    guard index > atomStart else { return nil }
                    atomStart = index + 1
                } else {
                    guard isAtext(bytes[index]) else { return nil }
                }
                index += 1
            }
            guard index > atomStart else { return nil }
        }
        return index < count && bytes[index] == UInt8(ascii: "@") ? index : nil
    }

    /// RFC 5322 atext: letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~.
    private static func isAtext(_ byte: UInt8) -> Bool {
        if isAlphanumeric(byte) { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
             UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
             UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
