/// Exact `multipleOf` for decimal numbers.
///
/// Binary floating point gets `0.0075 multipleOf 0.0001` wrong (the quotient is 74.99999999999999),
/// so both numbers are read from their text as integer × 10^exponent and compared as integers
/// when they fit in 64 bits; only numbers too big for that fall back to `Double`.
enum SchemaDecimal {
    struct Parts {
        var mantissa: UInt64
        var exponent: Int
    }

    static func isMultiple(_ text: UnsafeBufferPointer<UInt8>, value: Double, of divisor: JSONNumber) -> Bool {
        var divisorText = divisor.text
        let exact: Bool? = divisorText.withUTF8 { divisorBytes in
            guard let dividend = parts(text), let divisorParts = parts(divisorBytes), divisorParts.mantissa != 0 else {
                return nil
            }
            if dividend.mantissa == 0 { return true }
            let exponent = min(dividend.exponent, divisorParts.exponent)
            guard let a = scaled(dividend.mantissa, by: dividend.exponent - exponent),
                let b = scaled(divisorParts.mantissa, by: divisorParts.exponent - exponent)
            else { return nil }
            return a % b == 0
        }
        if let exact { return exact }
        let quotient = value / divisor.value
        return quotient.isFinite && quotient.rounded(.towardZero) == quotient
    }

    /// Digits and decimal exponent of a JSON number's text, ignoring the sign; nil when the
    /// digits do not fit in 64 bits.
    static func parts(_ text: UnsafeBufferPointer<UInt8>) -> Parts? {
        var mantissa: UInt64 = 0
        var exponent = 0
        var index = 0
        var inFraction = false
        if index < text.count, text[index] == UInt8(ascii: "-") { index += 1 }
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if JSONParser.isDigit(byte) {
                let (times10, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
                if overflow1 || overflow2 { return nil }
                mantissa = sum
                if inFraction { exponent -= 1 }
            } else {
                break  // 'e' or 'E'
            }
            index += 1
        }
        if index < text.count {
            index += 1
            var negative = false
            if text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
                negative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            while index < text.count {
                written = written * 10 + Int(text[index] &- UInt8(ascii: "0"))
                if written > 400 { return nil }
                index += 1
            }
            exponent += negative ? -written : written
        }
        // Trailing zeros of the mantissa move into the exponent, so 1.50 and 1.5 agree.
        while mantissa != 0, mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        return Parts(mantissa: mantissa, exponent: exponent)
    }

    private static func scaled(_ mantissa: UInt64, by exponent: Int) -> UInt64? {
        var result = mantissa
        for _ in 0..<exponent {
            let (next, overflow) = result.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            result = next
        }
        return result
    }
}
