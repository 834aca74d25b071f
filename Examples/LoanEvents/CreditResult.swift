/// What an assessment keeps of a ``CreditChecked``: the report's figures, without the IDs and
/// the time of the check (`defs/loan.json#/$defs/creditResult`).
public struct CreditResult: Codable, Sendable, Equatable, Hashable {
    public var bureau: CreditChecked.Bureau
    /// The bureau's credit score, 300 to 850.
    public var score: Int
    public var openAccounts: Int
    /// Payments 30 or more days late in the last 24 months.
    public var delinquencies: Int
    /// Total balance of the open accounts.
    public var outstandingDebt: Money

    public init(bureau: CreditChecked.Bureau, score: Int, openAccounts: Int, delinquencies: Int, outstandingDebt: Money) {
        self.bureau = bureau
        self.score = score
        self.openAccounts = openAccounts
        self.delinquencies = delinquencies
        self.outstandingDebt = outstandingDebt
    }

    /// The result of `check`.
    public init(_ check: CreditChecked) {
        self.init(
            bureau: check.bureau, score: check.score, openAccounts: check.openAccounts,
            delinquencies: check.delinquencies, outstandingDebt: check.outstandingDebt)
    }
}
