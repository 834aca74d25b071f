/// The coding keys the payload coders make up themselves: array positions in a coding path, and
/// `super` for ``JSONPayloadEncoder``'s and ``JSONPayloadDecoder``'s `superEncoder()` and
/// `superDecoder()`.
///
/// An array position reads `Index 3` with `intValue` 3, as Foundation's coders name it, so
/// ``EventCoding/describe(_:)`` prints `/documents/3`.
struct JSONPayloadCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }

    /// The key `superEncoder()` and `superDecoder()` use, as the `Codable` documentation asks.
    static let `super` = JSONPayloadCodingKey(stringValue: "super")
}
