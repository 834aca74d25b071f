/// An amount of money in one currency: `{"amount": 250000, "currency": "EUR"}`.
///
/// The schema (`defs/loan.json#/$defs/money`) allows at most two decimal places and no negative
/// amounts; the amount is a `Double` so it is a plain JSON number on the wire. Round computed
/// amounts to cents (``rounded(_:currency:)``): `0.1 + 0.2` is written as `0.30000000000000004`,
/// which the schema rejects.
public struct Money: Codable, Sendable, Equatable, Hashable {
    /// At least 0, a multiple of 0.01.
    public var amount: Double
    /// An ISO 4217 code: three uppercase letters.
    public var currency: String

    public init(amount: Double, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// `amount` rounded to the nearest cent (halves away from zero).
    public static func rounded(_ amount: Double, currency: String) -> Money {
        Money(amount: (amount * 100).rounded() / 100, currency: currency)
    }

    /// Euros, the currency of the examples.
    public static func eur(_ amount: Double) -> Money { Money(amount: amount, currency: "EUR") }
}
