/// A JSON number: its text as written, and its value as a `Double`.
///
/// The text is kept so that writing a value back out changes nothing (`1.0` stays `1.0`, a
/// 30-digit ID stays whole), and so that `multipleOf` can work in exact decimal arithmetic.
public struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let value: Double

    /// `text` must be a JSON number; `value` its parsed value.
    init(text: String, value: Double) {
        self.text = text
        self.value = value
    }

    public init(_ value: Int) {
        self.text = String(value)
        self.value = Double(value)
    }

    /// A finite `Double`; written with the shortest text that reads back as the same value.
    public init(_ value: Double) {
        precondition(value.isFinite, "JSON has no NaN or infinity")
        if value.rounded(.towardZero) == value, abs(value) < 1e15 {
            self.text = String(Int64(value))
        } else {
            self.text = "\(value)"
        }
        self.value = value
    }

    /// Whether the number has no fractional part (JSON Schema counts `1.0` as an integer).
    public var isInteger: Bool { value.isFinite && value.rounded(.towardZero) == value }

    /// Equal by value: `1` equals `1.0`, as JSON Schema's `const` and `enum` require.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool { lhs.value == rhs.value }

    public var description: String { text }
}
