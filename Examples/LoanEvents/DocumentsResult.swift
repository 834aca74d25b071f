/// What an assessment keeps of a ``DocumentsExtracted``: employment, income, and how many
/// documents were read (`defs/loan.json#/$defs/documentsResult`).
public struct DocumentsResult: Codable, Sendable, Equatable, Hashable {
    public var employmentStatus: DocumentsExtracted.EmploymentStatus
    /// Net monthly income, from payslips or bank statements.
    public var monthlyIncome: Money
    /// At least 1.
    public var documentCount: Int

    public init(employmentStatus: DocumentsExtracted.EmploymentStatus, monthlyIncome: Money, documentCount: Int) {
        self.employmentStatus = employmentStatus
        self.monthlyIncome = monthlyIncome
        self.documentCount = documentCount
    }

    /// The result of `extraction`.
    public init(_ extraction: DocumentsExtracted) {
        self.init(
            employmentStatus: extraction.employmentStatus, monthlyIncome: extraction.monthlyIncome,
            documentCount: extraction.documents.count)
    }
}
