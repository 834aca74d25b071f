/// The person who approved or rejected an application (`defs/loan.json#/$defs/approver`).
public struct Approver: Codable, Sendable, Equatable, Hashable {
    /// The employee ID: `EMP-` and five digits.
    public var id: String
    public var name: String
    public var role: ApproverRole

    public init(id: String, name: String, role: ApproverRole) {
        self.id = id
        self.name = name
        self.role = role
    }
}
