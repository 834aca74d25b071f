/// Exact `multipleOf` for decimal numbers.
///
/// Binary floating point gets `0.0075 multipleOf 0.0001` wrong (the quotient is 74.99999999999999),
/// so both numbers are read from their text as integer × 10^exponent. The divisor's digits must
/// fit in 64 bits (any sensible schema's do); the payload's may be any length: its remainder is
/// computed digit by digit. Only a divisor beyond 64 bits falls back to `Double`.
package enum SchemaDecimal {
    package struct Parts {
        package var mantissa: UInt64
        package var exponent: Int
    }

    package static func isMultiple(_ text: UnsafeBufferPointer<UInt8>, value: Double, of divisor: JSONNumber) -> Bool {
        var divisorText = divisor.text
        let exact: Bool? = divisorText.withUTF8 { divisorBytes in
            guard let b = parts(divisorBytes), b.mantissa != 0 else { return nil }
            return isMultiple(text, of: b)
        }
        if let exact { return exact }
        let quotient = value / divisor.value
        return quotient.isFinite && quotient.rounded(.towardZero) == quotient
    }

    /// Whether the number written in `text` is a multiple of `divisor`, exactly; nil when the
    /// exponents are too far apart to be worth the loop.
    private static func isMultiple(_ text: UnsafeBufferPointer<UInt8>, of divisor: Parts) -> Bool? {
        // The payload as digits × 10^exponent, trailing zeros moved into the exponent.
        var firstDigit = -1
        var lastNonZero = -1
        var fractionDigits = 0
        var index = 0
        var inFraction = false
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if JSONParser.isDigit(byte) {
                if inFraction { fractionDigits += 1 }
                if byte != UInt8(ascii: "0") {
                    if firstDigit < 0 { firstDigit = index }
                    lastNonZero = index
                }
            } else if byte != UInt8(ascii: "-") {
                break  // the exponent
            }
            index += 1
        }
        guard firstDigit >= 0 else { return true }  // zero
        guard let exponent = writtenExponent(text, at: index, limit: 100_000) else { return nil }
        // Digits after the last non-zero one shift the exponent up, fraction digits shift it down.
        var zerosAfter = 0
        var position = lastNonZero + 1
        while position < text.count, JSONParser.isDigit(text[position]) || text[position] == UInt8(ascii: ".") {
            if text[position] != UInt8(ascii: ".") { zerosAfter += 1 }
            position += 1
        }
        let payloadExponent = exponent - fractionDigits + zerosAfter
        // A non-zero digit finer than the divisor's last digit: not a multiple.
        if payloadExponent < divisor.exponent { return false }
        let shift = payloadExponent - divisor.exponent
        if shift > 100_000 { return nil }

        let modulus = divisor.mantissa
        var remainder: UInt64 = 0
        func append(_ digit: UInt64) {
            let (high, low) = remainder.multipliedFullWidth(by: 10)
            let (sum, carry) = low.addingReportingOverflow(digit)
            remainder = modulus.dividingFullWidth((high + (carry ? 1 : 0), sum)).remainder
        }
        for position in firstDigit...lastNonZero where JSONParser.isDigit(text[position]) {
            append(UInt64(text[position] &- UInt8(ascii: "0")))
        }
        for _ in 0..<shift { append(0) }
        return remainder == 0
    }

    /// Digits and decimal exponent of a JSON number's text, ignoring the sign; nil when the
    /// digits do not fit in 64 bits.
    package static func parts(_ text: UnsafeBufferPointer<UInt8>) -> Parts? {
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
        guard let written = writtenExponent(text, at: index, limit: 400) else { return nil }
        exponent += written
        // Trailing zeros of the mantissa move into the exponent, so 1.50 and 1.5 agree.
        while mantissa != 0, mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        return Parts(mantissa: mantissa, exponent: exponent)
    }

    /// The exponent written after the `e` or `E` at `index` (0 when `index` is past the end, as
    /// for a number without one); nil when its magnitude passes `limit`, beyond which the caller
    /// does not compute exactly.
    private static func writtenExponent(_ text: UnsafeBufferPointer<UInt8>, at index: Int, limit: Int) -> Int? {
        guard index < text.count else { return 0 }
        var index = index + 1
        var negative = false
        if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var magnitude = 0
        while index < text.count {
            magnitude = magnitude * 10 + Int(text[index] &- UInt8(ascii: "0"))
            if magnitude > limit { return nil }
            index += 1
        }
        return negative ? -magnitude : magnitude
    }
}
