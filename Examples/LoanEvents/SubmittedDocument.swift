/// A document uploaded with an application: its kind and its ID in the document store
/// (`defs/loan.json#/$defs/submittedDocument`).
public struct SubmittedDocument: Codable, Sendable, Equatable, Hashable {
    public var kind: DocumentsExtracted.Document.Kind
    /// The document store's ID: a lowercase RFC 4122 UUID.
    public var documentId: String

    public init(kind: DocumentsExtracted.Document.Kind, documentId: String) {
        self.kind = kind
        self.documentId = documentId
    }
}
