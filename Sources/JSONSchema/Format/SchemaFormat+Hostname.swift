// `hostname`: RFC 1123 section 2.1 host names, including A-labels (JSON Schema 2020-12 section
// 7.3.3: "host names produced using the Punycode algorithm specified in RFC 5891").
//
//   - labels of letters, digits and "-", 1 to 63 bytes, not starting or ending with "-";
//   - at most 253 bytes in all (255 on the wire, less the length bytes), no trailing dot;
//   - a label starting "xn--" (any case) must be a valid A-label, which `IDNA` checks.

extension SchemaFormat {
    static func isHostname(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count >= 1, count <= 253 else { return false }

        // RFC 5893's Bidi rule covers every label of a name that has a right-to-left label, so
        // this pass records both and decides after the last label.
        var hasRightToLeftLabel = false
        var allLabelsMeetBidiRule = true

        var start = 0
        while true {
            let end = firstIndex(of: UInt8(ascii: "."), in: bytes, start..<count)
            let length = end - start
            guard length >= 1, length <= 63,
                  isAlphanumeric(bytes[start]), isAlphanumeric(bytes[end - 1])
            else { return false }
            var index = start + 1
            while index < end - 1 {
                guard isAlphanumeric(bytes[index]) || bytes[index] == UInt8(ascii: "-") else { return false }
                index += 1
            }

            if length >= 4, lowercased(bytes[start]) == UInt8(ascii: "x"),
               lowercased(bytes[start + 1]) == UInt8(ascii: "n"),
               bytes[start + 2] == UInt8(ascii: "-"), bytes[start + 3] == UInt8(ascii: "-") {
                guard let direction = IDNA.checkALabel(slice(bytes, (start + 4)..<end)) else { return false }
                hasRightToLeftLabel = hasRightToLeftLabel || direction.isRightToLeft
                allLabelsMeetBidiRule = allLabelsMeetBidiRule && direction.meetsBidiRule
            } else {
                // An LDH label has only L (letters), EN (digits) and ES ("-") and ends in a letter
                // or digit, so the Bidi rule reduces to starting with a letter.
                allLabelsMeetBidiRule = allLabelsMeetBidiRule && isAlpha(bytes[start])
            }

            if end == count { break }
            start = end + 1
            guard start < count else { return false }  // a trailing dot
        }
        return !hasRightToLeftLabel || allLabelsMeetBidiRule
    }
}
