/// A role with lending authority, from lowest to highest (`defs/loan.json#/$defs/approverRole`).
public enum ApproverRole: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case underwriter
    case seniorUnderwriter = "senior-underwriter"
    case creditCommittee = "credit-committee"
}
