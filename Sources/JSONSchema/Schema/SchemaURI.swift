/// URI references as `$id` and `$ref` use them: RFC 3986 resolution against a base, and the
/// normalised keys the compiler registers schemas under.
package enum SchemaURI {
    package struct Components {
        package var scheme: String?
        package var authority: String?
        package var path: String
        package var query: String?
        package var fragment: String?

        package var text: String {
            var result = ""
            if let scheme { result += scheme + ":" }
            if let authority { result += "//" + authority }
            result += path
            if let query { result += "?" + query }
            if let fragment { result += "#" + fragment }
            return result
        }
    }

    package static func components(_ text: String) -> Components {
        var rest = Substring(text)
        var result = Components(path: "")
        if let hash = rest.firstIndex(of: "#") {
            result.fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            result.query = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        if let colon = rest.firstIndex(of: ":"), let first = rest.first, first.isLetter,
            rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        {
            result.scheme = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            result.authority = String(rest[..<slash])
            rest = rest[slash...]
        }
        result.path = String(rest)
        return result
    }

    /// `reference` resolved against `base` (RFC 3986 §5.2).
    package static func resolve(_ reference: String, against base: String) -> String {
        let r = components(reference)
        let b = components(base)
        var t = Components(path: "")
        if r.scheme != nil {
            t = r
            t.path = removeDotSegments(r.path)
        } else if r.authority != nil {
            t = r
            t.scheme = b.scheme
            t.path = removeDotSegments(r.path)
        } else {
            t.scheme = b.scheme
            t.authority = b.authority
            if r.path.isEmpty {
                t.path = b.path
                t.query = r.query ?? b.query
            } else {
                if r.path.hasPrefix("/") {
                    t.path = removeDotSegments(r.path)
                } else {
                    t.path = removeDotSegments(merge(base: b, path: r.path))
                }
                t.query = r.query
            }
            t.fragment = r.fragment
        }
        return t.text
    }

    private static func merge(base: Components, path: String) -> String {
        if base.authority != nil, base.path.isEmpty { return "/" + path }
        guard let slash = base.path.lastIndex(of: "/") else { return path }
        return String(base.path[...slash]) + path
    }

    package static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (offset, segment) in segments.enumerated() {
            let isLast = offset == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if output.count > 1 { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return output.joined(separator: "/")
    }

    /// The URI without its fragment, and the fragment percent-decoded (`""` when there is none).
    package static func splitFragment(_ uri: String) -> (resource: String, fragment: String) {
        guard let hash = uri.firstIndex(of: "#") else { return (uri, "") }
        return (String(uri[..<hash]), percentDecoded(String(uri[uri.index(after: hash)...])))
    }

    /// The key a schema is registered under: resource, `#`, decoded fragment.
    package static func key(_ uri: String) -> String {
        let (resource, fragment) = splitFragment(uri)
        return resource + "#" + fragment
    }

    package static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A reference token of a JSON Pointer (RFC 6901): `~` and `/` escaped.
    package static func pointerToken(_ name: String) -> String {
        var result = ""
        for character in name {
            switch character {
            case "~": result += "~0"
            case "/": result += "~1"
            default: result.append(character)
            }
        }
        return result
    }
}
