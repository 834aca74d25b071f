/// The three event types of one approval gate, named by convention: `<prefix>.approval.requested.v<N>`
/// asks for a decision, `<prefix>.approval.granted.v<N>` and `<prefix>.approval.rejected.v<N>`
/// answer it.
public struct ApprovalEventTypes: Sendable, Hashable {
    public let requested: String
    public let granted: String
    public let rejected: String

    private static let requestedMarker = ".approval.requested.v"

    /// The gate whose request type is `requested`; nil when it does not follow the convention.
    public init?(requested: String) {
        guard let range = requested.range(of: Self.requestedMarker, options: .backwards) else { return nil }
        let version = requested[range.upperBound...]
        guard !version.isEmpty, version.allSatisfy(\.isASCIIDigit), range.lowerBound > requested.startIndex else { return nil }
        let prefix = requested[..<range.lowerBound]
        self.requested = requested
        self.granted = "\(prefix).approval.granted.v\(version)"
        self.rejected = "\(prefix).approval.rejected.v\(version)"
    }

    /// Every gate among `eventTypes` (a catalog's types), by request type.
    public static func all(in eventTypes: [String]) -> [ApprovalEventTypes] {
        eventTypes.compactMap(ApprovalEventTypes.init(requested:)).sorted { $0.requested < $1.requested }
    }

    /// The decision `type` is, if it is one of this gate's.
    public func outcome(of type: String) -> ApprovalDecision.Outcome? {
        switch type {
        case granted: .granted
        case rejected: .rejected
        default: nil
        }
    }

    /// The decision type of `outcome`.
    public func type(of outcome: ApprovalDecision.Outcome) -> String {
        switch outcome {
        case .granted: granted
        case .rejected: rejected
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
