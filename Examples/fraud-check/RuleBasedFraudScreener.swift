import Foundation
import LoanEvents

/// A few fixed fraud rules, so the same application always screens the same way.
///
/// Signals: `disposable-email` (the email's domain is a throwaway mailbox service),
/// `email-name-mismatch` (no word of three letters or more of the name is in the email's local
/// part), `young-applicant-large-loan` (under 25 on the day they applied, asking for more than
/// 50,000), `unverified-identity-large-loan` (no ID document uploaded, asking for more than
/// 100,000). The identity counts as verified when an ID document was uploaded. Risk: high with a
/// disposable email or two signals or more, medium with one, low with none.
struct RuleBasedFraudScreener: FraudScreener {
    static let disposableDomains: Set<String> = ["mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com"]

    func screen(_ application: ApplicationReceived) async throws -> FraudChecked {
        let email = application.applicant.email
        let local = email.split(separator: "@").first.map(String.init) ?? email
        let domain = email.split(separator: "@").last.map(String.init) ?? ""
        let identityVerified = application.documents?.contains { $0.kind == .id } ?? false
        var signals: [String] = []
        if Self.disposableDomains.contains(domain) { signals.append("disposable-email") }
        let words = application.applicant.name.lowercased().split { !$0.isLetter }.filter { $0.count >= 3 }
        if !words.isEmpty, !words.contains(where: { local.contains($0) }) { signals.append("email-name-mismatch") }
        if let age = Self.age(born: application.applicant.dateOfBirth, on: application.submittedAt), age < 25,
            application.requested.amount > 50_000
        {
            signals.append("young-applicant-large-loan")
        }
        if !identityVerified, application.requested.amount > 100_000 { signals.append("unverified-identity-large-loan") }
        let riskLevel: FraudChecked.RiskLevel =
            signals.contains("disposable-email") || signals.count >= 2 ? .high : signals.isEmpty ? .low : .medium
        return FraudChecked(
            applicationId: application.applicationId, applicantId: application.applicantId, riskLevel: riskLevel,
            signals: signals, identityVerified: identityVerified, checkedAt: Date())
    }

    /// Whole years between `born` (`YYYY-MM-DD`) and `date`, in UTC.
    static func age(born: String, on date: Date) -> Int? {
        let parts = born.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let birth = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else {
            return nil
        }
        return calendar.dateComponents([.year], from: birth, to: date).year
    }
}
