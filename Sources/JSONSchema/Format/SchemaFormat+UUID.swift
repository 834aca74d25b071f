// RFC 9562 section 4: the textual form of a UUID, 8-4-4-4-12 hex digits in any case.
//
// Version and variant nibbles are not checked: the format names the syntax, and the test suite
// counts unassigned versions and variants as valid.

extension SchemaFormat {
    static func isUUID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 36,
              bytes[8] == UInt8(ascii: "-"), bytes[13] == UInt8(ascii: "-"),
              bytes[18] == UInt8(ascii: "-"), bytes[23] == UInt8(ascii: "-")
        else { return false }
        // Every other byte is a hex digit; ANDing bits keeps the loop free of branches.
        var allHex: UInt64 = 1
        for index in 0..<36 where index != 8 && index != 13 && index != 18 && index != 23 {
            allHex &= hexDigitBit(bytes[index])
        }
        return allHex != 0
    }
}
