import AgentBus
import Foundation

/// The applicant's credit report was pulled from a credit bureau. Published by the credit check
/// agent, in parallel with the fraud check.
///
/// Topic `loan.checks`, keyed by correlation ID.
public struct CreditChecked: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.credit.checked.v1"

    public enum Bureau: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
        case experian, equifax, transunion
    }

    public var applicationId: String
    public var applicantId: String
    public var bureau: Bureau
    /// The bureau's credit score, 300 to 850.
    public var score: Int
    /// Open credit accounts on the report.
    public var openAccounts: Int
    /// Payments 30 or more days late in the last 24 months.
    public var delinquencies: Int
    /// Total balance of the open accounts.
    public var outstandingDebt: Money
    public var checkedAt: Date

    public init(
        applicationId: String, applicantId: String, bureau: Bureau, score: Int, openAccounts: Int, delinquencies: Int,
        outstandingDebt: Money, checkedAt: Date
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.bureau = bureau
        self.score = score
        self.openAccounts = openAccounts
        self.delinquencies = delinquencies
        self.outstandingDebt = outstandingDebt
        self.checkedAt = checkedAt
    }

    public static let examples: [CreditChecked] = [
        CreditChecked(
            applicationId: "APP-004217", applicantId: "CUS-118042", bureau: .experian, score: 742, openAccounts: 4,
            delinquencies: 0, outstandingDebt: .eur(12_380.40),
            checkedAt: Date(timeIntervalSince1970: 1_795_252_600)),  // 2026-11-21T09:16:40Z
        CreditChecked(
            applicationId: "APP-004218", applicantId: "CUS-207315", bureau: .equifax, score: 588, openAccounts: 7,
            delinquencies: 3, outstandingDebt: .eur(31_775),
            checkedAt: Date(timeIntervalSince1970: 1_795_365_690)),  // 2026-11-22T16:41:30Z
    ]
}
