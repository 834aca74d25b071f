// `uri` and `uri-reference`: RFC 3986 `URI` and `URI-reference` (section 4.1, appendix A).
//
//   URI           = scheme ":" hier-part [ "?" query ] [ "#" fragment ]
//   relative-ref  = relative-part [ "?" query ] [ "#" fragment ]
//   hier-part     = "//" authority path-abempty / path-absolute / path-rootless / path-empty
//   relative-part = "//" authority path-abempty / path-absolute / path-noscheme / path-empty
//   scheme        = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
//   authority     = [ userinfo "@" ] host [ ":" port ]      ; port = *DIGIT
//   host          = IP-literal / IPv4address / reg-name     ; IP-literal = "[" IPv6 / IPvFuture "]"
//   pchar         = unreserved / pct-encoded / sub-delims / ":" / "@"
//   query, fragment = *( pchar / "/" / "?" )
//
// Every part is a run of allowed characters, and "%" must start a "%HH" triplet. An IPv4address
// is also a reg-name, so a host like "999.1.1.1" is valid here as a name.

extension SchemaFormat {
    static func isURI(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let colon = schemeEnd(bytes) else { return false }
        return isURITail(bytes, from: colon + 1, isRelative: false)
    }

    static func isURIReference(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // A leading scheme and ":" can only be a URI: a relative reference's first segment may
        // not hold a ":", and "/", "?" and "#" cannot start a scheme.
        if let colon = schemeEnd(bytes) {
            return isURITail(bytes, from: colon + 1, isRelative: false)
        }
        return isURITail(bytes, from: 0, isRelative: true)
    }

    /// The index of the ":" that ends a valid scheme at the start, or nil.
    private static func schemeEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, isAlpha(bytes[0]) else { return nil }
        let allowed = URIBytes.scheme
        var index = 1
        while index < bytes.count && allowed.contains(bytes[index]) { index += 1 }
        return index < bytes.count && bytes[index] == UInt8(ascii: ":") ? index : nil
    }

    /// The hier-part or relative-part starting at `start`, then the query and fragment.
    private static func isURITail(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, isRelative: Bool) -> Bool {
        let count = bytes.count
        var partEnd = start
        while partEnd < count && bytes[partEnd] != UInt8(ascii: "?") && bytes[partEnd] != UInt8(ascii: "#") {
            partEnd += 1
        }

        var pathStart = start
        if partEnd - start >= 2 && bytes[start] == UInt8(ascii: "/") && bytes[start + 1] == UInt8(ascii: "/") {
            let authorityEnd = firstIndex(of: UInt8(ascii: "/"), in: bytes, (start + 2)..<partEnd)
            guard isAuthority(bytes, (start + 2)..<authorityEnd) else { return false }
            pathStart = authorityEnd
        } else if isRelative {
            // path-noscheme: the first segment may not hold a ":", which would read as a scheme.
            let firstSegmentEnd = firstIndex(of: UInt8(ascii: "/"), in: bytes, start..<partEnd)
            if firstIndex(of: UInt8(ascii: ":"), in: bytes, start..<firstSegmentEnd) != firstSegmentEnd {
                return false
            }
        }
        // Every path form is segments of pchar joined by "/"; the forms differ only in where
        // they may start, which the authority and scheme checks above have settled.
        guard allBytes(bytes, pathStart..<partEnd, in: URIBytes.path) else { return false }

        var index = partEnd
        if index < count && bytes[index] == UInt8(ascii: "?") {
            let queryEnd = firstIndex(of: UInt8(ascii: "#"), in: bytes, (index + 1)..<count)
            guard allBytes(bytes, (index + 1)..<queryEnd, in: URIBytes.queryOrFragment) else { return false }
            index = queryEnd
        }
        if index < count {
            // bytes[index] is "#"; a fragment may hold "?" but no further "#".
            guard allBytes(bytes, (index + 1)..<count, in: URIBytes.queryOrFragment) else { return false }
        }
        return true
    }

    private static func isAuthority(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        // userinfo has no "@", so the first one ends it; any later "@" fails the host check.
        var hostStart = range.lowerBound
        let at = firstIndex(of: UInt8(ascii: "@"), in: bytes, range)
        if at < range.upperBound {
            guard allBytes(bytes, range.lowerBound..<at, in: URIBytes.userinfo) else { return false }
            hostStart = at + 1
        }

        let hostEnd: Int
        if hostStart < range.upperBound && bytes[hostStart] == UInt8(ascii: "[") {
            let close = firstIndex(of: UInt8(ascii: "]"), in: bytes, hostStart..<range.upperBound)
            guard close < range.upperBound, isIPLiteral(slice(bytes, (hostStart + 1)..<close)) else { return false }
            hostEnd = close + 1
        } else {
            // reg-name has no ":", so the first one starts the port.
            hostEnd = firstIndex(of: UInt8(ascii: ":"), in: bytes, hostStart..<range.upperBound)
            guard allBytes(bytes, hostStart..<hostEnd, in: URIBytes.regName) else { return false }
        }

        guard hostEnd < range.upperBound else { return true }
        guard bytes[hostEnd] == UInt8(ascii: ":") else { return false }
        for index in (hostEnd + 1)..<range.upperBound where !isDigit(bytes[index]) { return false }
        return true
    }

    /// The inside of "[...]": an IPv6 address, or IPvFuture = "v" 1*HEXDIG "." 1*( unreserved
    /// / sub-delims / ":" ).
    private static func isIPLiteral(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, lowercased(first) == UInt8(ascii: "v") else { return isIPv6(bytes) }
        let dot = firstIndex(of: UInt8(ascii: "."), in: bytes, 1..<bytes.count)
        guard dot > 1, dot + 1 < bytes.count else { return false }
        for index in 1..<dot where !isHexDigit(bytes[index]) { return false }
        // The same characters as userinfo, but with no percent-encoding.
        let allowed = URIBytes.userinfo
        for index in (dot + 1)..<bytes.count where !allowed.contains(bytes[index]) { return false }
        return true
    }

    /// Whether every byte in `range` is in `allowed` or part of a "%HH" triplet.
    private static func allBytes(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, in allowed: URIBytes) -> Bool {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < range.upperBound,
                      isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else { return false }
                index += 3
            } else {
                guard allowed.contains(byte) else { return false }
                index += 1
            }
        }
        return true
    }
}

/// A set of ASCII bytes as a 128-bit mask: the character classes of RFC 3986.
fileprivate struct URIBytes {
    private let low: UInt64
    private let high: UInt64

    private init(_ characters: StaticString) {
        var low: UInt64 = 0, high: UInt64 = 0
        characters.withUTF8Buffer { buffer in
            for byte in buffer {
                if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
            }
        }
        self.low = low
        self.high = high
    }

    private init(_ sets: URIBytes...) {
        low = sets.reduce(0) { $0 | $1.low }
        high = sets.reduce(0) { $0 | $1.high }
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        // Select the word without branching: URIs mix bytes below and above 64 unpredictably.
        let word = byte < 64 ? low : high
        return byte < 128 && (word >> UInt64(byte & 63)) & 1 != 0
    }

    private static let alphaDigit = URIBytes("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    private static let unreserved = URIBytes(alphaDigit, URIBytes("-._~"))
    private static let subDelims = URIBytes("!$&'()*+,;=")

    static let scheme = URIBytes(alphaDigit, URIBytes("+-."))
    /// "%" is in none of the sets: `allBytes` accepts it only as the start of "%HH".
    static let userinfo = URIBytes(unreserved, subDelims, URIBytes(":"))
    static let regName = URIBytes(unreserved, subDelims)
    static let path = URIBytes(unreserved, subDelims, URIBytes(":@/"))
    static let queryOrFragment = URIBytes(path, URIBytes("?"))
}
