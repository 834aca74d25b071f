import Foundation
import LoanEvents

/// A deterministic stand-in for an OCR service: everything it "reads" is derived from the
/// document and applicant IDs, so the same application always extracts the same figures.
///
/// Pages and confidence come from each document's ID; the employment status from the kinds
/// uploaded (a payslip: employed, with an employer; a tax return without one: self-employed;
/// neither: unemployed); the monthly income from the applicant ID, in the requested currency.
struct SimulatedDocumentReader: DocumentReader {
    static let employers = [
        "Nordwind Logistics GmbH", "Helio Pharma AB", "Calder & Finch LLP", "Brightwater Schools Trust",
        "Okapi Software Ltd", "Municipality of Lund",
    ]

    func read(_ documents: [SubmittedDocument], of application: ApplicationReceived) async throws -> DocumentsExtracted {
        let read = documents.map { document in
            let hash = Self.hash(document.documentId)
            let pages =
                switch document.kind {
                case .id: 2
                case .payslip: 1
                case .bankStatement: 3 + Int(hash % 6)
                case .taxReturn: 8 + Int(hash % 10)
                }
            return DocumentsExtracted.Document(
                kind: document.kind, documentId: document.documentId, pages: pages,
                confidence: Double(85 + hash >> 8 % 15) / 100)
        }
        let kinds = Set(documents.map(\.kind))
        let applicant = Self.hash(application.applicantId)
        let status: DocumentsExtracted.EmploymentStatus =
            kinds.contains(.payslip) ? .employed : kinds.contains(.taxReturn) ? .selfEmployed : .unemployed
        let income = status == .unemployed ? 900 + Double(applicant % 600) : 1_800 + Double(applicant % 7_200)
        return DocumentsExtracted(
            applicationId: application.applicationId, documents: read, employmentStatus: status,
            employer: status == .employed ? Self.employers[Int(applicant >> 16 % UInt64(Self.employers.count))] : nil,
            monthlyIncome: .rounded(income + Double(applicant >> 24 % 100) / 100, currency: application.requested.currency),
            extractedAt: Date())
    }

    /// FNV-1a: stable across runs and machines, unlike Swift's seeded `hashValue`.
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
