import AgentBus
import Foundation

/// The application was screened for fraud and identity signals. Published by the fraud check
/// agent, in parallel with the credit check.
///
/// Topic `loan.checks`, keyed by `applicantId` so one customer's screenings stay in order.
public struct FraudChecked: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.fraud.checked.v1"

    public enum RiskLevel: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
        case low, medium, high
    }

    public var applicationId: String
    public var applicantId: String
    public var riskLevel: RiskLevel
    /// The fraud signals that fired, as distinct kebab-case codes (`address-mismatch`); empty
    /// when none did.
    public var signals: [String]
    /// Whether the ID document matched the applicant's details.
    public var identityVerified: Bool
    public var checkedAt: Date

    public init(
        applicationId: String, applicantId: String, riskLevel: RiskLevel, signals: [String], identityVerified: Bool,
        checkedAt: Date
    ) {
        self.applicationId = applicationId
        self.applicantId = applicantId
        self.riskLevel = riskLevel
        self.signals = signals
        self.identityVerified = identityVerified
        self.checkedAt = checkedAt
    }

    public static let examples: [FraudChecked] = [
        FraudChecked(
            applicationId: "APP-004217", applicantId: "CUS-118042", riskLevel: .low, signals: [],
            identityVerified: true, checkedAt: Date(timeIntervalSince1970: 1_795_252_601)),  // 2026-11-21T09:16:41Z
        FraudChecked(
            applicationId: "APP-004218", applicantId: "CUS-207315", riskLevel: .medium,
            signals: ["address-mismatch", "recent-credit-inquiries"], identityVerified: true,
            checkedAt: Date(timeIntervalSince1970: 1_795_365_691)),  // 2026-11-22T16:41:31Z
    ]
}
