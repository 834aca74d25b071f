extension String {
    /// This text on one line and safe to print: control characters (C0, DEL and C1) and the
    /// Unicode line and paragraph separators escaped as in JSON (`\n`, `\r`, `\t`, `\u001b`,
    /// `\u2028`); everything else, backslashes included, as written.
    ///
    /// Error messages, IDs, event types and header values may come from foreign producers or
    /// schema authors. Printed raw, a line break in one would split an output that promises a
    /// line per item, and an escape sequence would repaint the terminal. Escaping (rather than
    /// replacing with spaces) keeps what was there visible.
    package var oneLine: String {
        guard unicodeScalars.contains(where: Self.needsEscaping) else { return self }
        var result = ""
        result.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where Self.needsEscaping(scalar):
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }
}
