extension ApproverDirectory {
    /// Someone who may decide approval requests: the login they give with `--by`, their employee
    /// ID and name as decisions record them, and the role they hold.
    public struct Person: Sendable, Equatable, Hashable {
        /// What the approver types (`agentbus approve ID --by priya`).
        public var name: String
        /// The ID decisions record, e.g. an employee number.
        public var id: String
        /// The name decisions record. Default: ``name``.
        public var displayName: String
        /// The name of one of the directory's roles.
        public var role: String

        public init(name: String, id: String, displayName: String? = nil, role: String) {
            self.name = name
            self.id = id
            self.displayName = displayName ?? name
            self.role = role
        }
    }
}
