import AgentBus
import Foundation
import LoanEvents

/// Intake's rules: turns an application as a channel sent it into the workflow's
/// ``ApplicationReceived``, or refuses it with every rule it breaks, and decides which checks it
/// needs.
///
/// Normalizing: IDs trimmed and uppercased; a name's runs of spaces made one, and a name typed
/// all in capitals or all in lower case capitalized word by word (a mixed-case name is kept as
/// the applicant wrote it: "McAllister" stays); an email trimmed and lowercased; the currency
/// trimmed and uppercased; duplicate documents dropped.
///
/// Refusing (a business rule, so the event is dead-lettered at once, not retried): an ID of the
/// wrong shape, an email that is not one, an applicant under ``minimumAge`` on the day they
/// applied, an amount not above 0 or with fractions of a cent, a currency not in
/// ``currencies``, a term outside 6 to 360 months.
struct ApplicationNormalizer: Sendable {
    /// The currencies the lender lends in (ISO 4217 codes, uppercase).
    var currencies: Set<String> = ["EUR", "GBP", "SEK", "USD"]
    /// The youngest age at which one may borrow.
    var minimumAge = 18
    /// Branch applications up to this amount skip the fraud check: the branch checked the
    /// applicant's identity in person.
    var branchFraudExemptionLimit: Double = 25_000

    static let termMonths = 6...360

    func normalize(_ submitted: ApplicationSubmitted) throws(PermanentFailure) -> ApplicationReceived {
        var problems: [String] = []
        let applicationID = Self.normalizedID(submitted.applicationId, prefix: "APP", problems: &problems, field: "applicationId")
        let applicantID = Self.normalizedID(submitted.applicantId, prefix: "CUS", problems: &problems, field: "applicantId")
        let name = Self.normalizedName(submitted.applicant.name)
        if name.isEmpty { problems.append("the applicant's name is blank") }
        let email = submitted.applicant.email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if !Self.looksLikeEmail(email) { problems.append("email \"\(submitted.applicant.email)\" is not an email address") }
        if let age = Self.age(born: submitted.applicant.dateOfBirth, on: submitted.submittedAt) {
            if age < 0 {
                problems.append("dateOfBirth \(submitted.applicant.dateOfBirth) is after the application was submitted")
            } else if age < minimumAge {
                problems.append("the applicant is \(age), under the minimum age of \(minimumAge)")
            }
        } else {
            problems.append("dateOfBirth \"\(submitted.applicant.dateOfBirth)\" is not a date")
        }
        let cents = (submitted.amount * 100).rounded()
        if !(submitted.amount > 0) || !submitted.amount.isFinite {
            problems.append("amount must be above 0, got \(submitted.amount)")
        } else if abs(cents - submitted.amount * 100) > 1e-6 {
            problems.append("amount \(submitted.amount) has fractions of a cent")
        }
        let currency = submitted.currency.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        if !currencies.contains(currency) {
            problems.append("currency \"\(submitted.currency)\" is not lent in (\(currencies.sorted().joined(separator: ", ")))")
        }
        if !Self.termMonths.contains(submitted.termMonths) {
            problems.append("termMonths must be 6 to 360, got \(submitted.termMonths)")
        }
        guard problems.isEmpty else {
            let label = applicationID.isEmpty ? submitted.applicationId : applicationID
            throw PermanentFailure("application \(label) refused: \(problems.joined(separator: "; "))")
        }
        var seen: Set<String> = []
        let documents = (submitted.documents ?? []).filter { seen.insert($0.documentId).inserted }
        let requested = Money(amount: cents / 100, currency: currency)
        return ApplicationReceived(
            applicationId: applicationID, applicantId: applicantID,
            applicant: Applicant(name: name, email: email, dateOfBirth: submitted.applicant.dateOfBirth),
            requested: requested, termMonths: submitted.termMonths, purpose: submitted.purpose,
            submittedAt: submitted.submittedAt, channel: submitted.channel,
            documents: documents.isEmpty ? nil : documents,
            requiredChecks: requiredChecks(hasDocuments: !documents.isEmpty, requested: requested, channel: submitted.channel))
    }

    /// The checks an application needs, in workflow order: the documents when there are any, the
    /// credit report always, fraud screening unless a branch saw the applicant for a small loan.
    func requiredChecks(hasDocuments: Bool, requested: Money, channel: ApplicationReceived.Channel) -> [AssessmentCheck] {
        var checks: [AssessmentCheck] = []
        if hasDocuments { checks.append(.documents) }
        checks.append(.credit)
        if !(channel == .branch && requested.amount <= branchFraudExemptionLimit) { checks.append(.fraud) }
        return checks
    }

    /// `text` trimmed and uppercased, when it is `prefix`, `-` and six digits; else "" and a problem.
    static func normalizedID(_ text: String, prefix: String, problems: inout [String], field: String) -> String {
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let digits = id.dropFirst(prefix.count + 1)
        guard id.hasPrefix(prefix + "-"), digits.count == 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            problems.append("\(field) \"\(text)\" is not \(prefix)- and six digits")
            return ""
        }
        return id
    }

    /// Spaces collapsed; capitalized word by word (also after `-` and `'`) when typed in one case.
    static func normalizedName(_ text: String) -> String {
        let name = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard name == name.uppercased() || name == name.lowercased() else { return name }
        var result = ""
        var startOfWord = true
        for character in name.lowercased() {
            result += startOfWord ? character.uppercased() : String(character)
            startOfWord = character == " " || character == "-" || character == "'"
        }
        return result
    }

    /// One `@` between a non-empty local part and a domain with a dot inside it, no spaces.
    static func looksLikeEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, email.count <= 254, !email.contains(where: \.isWhitespace) else {
            return false
        }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }

    /// Whole years between `born` (`YYYY-MM-DD`) and `date`, in UTC; nil when `born` is not a date.
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
