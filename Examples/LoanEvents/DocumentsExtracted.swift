import AgentBus
import Foundation

/// The applicant's uploaded documents were read and the figures the checks need were extracted.
/// Published by the document extraction agent after it processes an application's documents.
///
/// Topic `loan.documents`, keyed by correlation ID.
public struct DocumentsExtracted: TypedEvent, Equatable {
    public static let eventType = "dev.agentbus.loan.documents.extracted.v1"

    /// One document that was read.
    public struct Document: Codable, Sendable, Equatable, Hashable {
        public enum Kind: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
            case payslip, id
            case bankStatement = "bank-statement"
            case taxReturn = "tax-return"
        }

        public var kind: Kind
        /// The document store's ID: a lowercase RFC 4122 UUID.
        public var documentId: String
        /// At least 1.
        public var pages: Int
        /// The extractor's confidence in what it read, 0 to 1.
        public var confidence: Double

        public init(kind: Kind, documentId: String, pages: Int, confidence: Double) {
            self.kind = kind
            self.documentId = documentId
            self.pages = pages
            self.confidence = confidence
        }
    }

    public enum EmploymentStatus: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
        case employed
        case selfEmployed = "self-employed"
        case retired, unemployed
    }

    public var applicationId: String
    /// At least one.
    public var documents: [Document]
    public var employmentStatus: EmploymentStatus
    /// The employer named on the payslips; nil when there is none.
    public var employer: String?
    /// Net monthly income, from payslips or bank statements.
    public var monthlyIncome: Money
    public var extractedAt: Date

    public init(
        applicationId: String, documents: [Document], employmentStatus: EmploymentStatus, employer: String? = nil,
        monthlyIncome: Money, extractedAt: Date
    ) {
        self.applicationId = applicationId
        self.documents = documents
        self.employmentStatus = employmentStatus
        self.employer = employer
        self.monthlyIncome = monthlyIncome
        self.extractedAt = extractedAt
    }

    public static let examples: [DocumentsExtracted] = [
        DocumentsExtracted(
            applicationId: "APP-004217",
            documents: [
                Document(kind: .id, documentId: "bb17a962-67c7-45ce-874e-ba82c5bb7290", pages: 2, confidence: 0.99),
                Document(kind: .payslip, documentId: "2d82c302-e134-4b9f-b56c-43664dee606d", pages: 1, confidence: 0.97),
                Document(kind: .bankStatement, documentId: "2bb70258-c232-4942-bee2-9f925cff6bc5", pages: 6, confidence: 0.93),
            ],
            employmentStatus: .employed, employer: "Nordwind Logistics GmbH", monthlyIncome: .eur(6_240.75),
            extractedAt: Date(timeIntervalSince1970: 1_795_252_562)),  // 2026-11-21T09:16:02Z
        DocumentsExtracted(
            applicationId: "APP-004218",
            documents: [
                Document(kind: .taxReturn, documentId: "0c86b7ee-ef74-4deb-be0b-2d171f60daa9", pages: 14, confidence: 0.88)
            ],
            employmentStatus: .selfEmployed, monthlyIncome: .eur(2_950),
            extractedAt: Date(timeIntervalSince1970: 1_795_365_660)),  // 2026-11-22T16:41:00Z
    ]
}
