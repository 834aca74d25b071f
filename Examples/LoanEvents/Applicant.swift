/// The applicant's details as submitted with an application.
public struct Applicant: Codable, Sendable, Equatable, Hashable {
    public var name: String
    public var email: String
    /// A full date, `YYYY-MM-DD` (JSON Schema `format: date`), not an instant.
    public var dateOfBirth: String

    public init(name: String, email: String, dateOfBirth: String) {
        self.name = name
        self.email = email
        self.dateOfBirth = dateOfBirth
    }
}
