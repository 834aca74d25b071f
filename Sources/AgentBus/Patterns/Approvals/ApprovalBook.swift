/// The state of every approval request, folded from the requests and decisions of an approval
/// topic in log order: pending, escalated (pending past its deadline) or decided.
///
/// The first decision on a request wins. A later one, from a second console or a second person
/// racing the first, is refused: recording it says so and names the
/// decision that won, and the refusal is kept in ``refused``. "First" is the order the decisions
/// are recorded in; decisions on one request share its correlation ID and so, keyed by it, one
/// partition, whose order every reader sees the same. Pure logic: no Kafka.
public struct ApprovalBook: Sendable {
    /// Where a request stands at a given time.
    public enum Status: Sendable, Equatable {
        /// Undecided, deadline not passed (or none).
        case pending
        /// Undecided past its deadline: the next role up must decide.
        case escalated
        case decided(ApprovalDecision)
        /// Replaced by a later request (an escalation, named by its `supersedes`): decide that
        /// one instead.
        case superseded(by: String)
    }

    /// What recording a decision did.
    public enum Verdict: Sendable, Equatable {
        /// It is the decision on its request.
        case accepted
        /// The request was already decided by `first`; this one does not count.
        case refused(first: ApprovalDecision)
        /// The same decision event again (a redelivery): nothing changes.
        case duplicate
    }

    /// A decision that came after its request was decided, and the decision that won.
    public struct Refusal: Sendable, Equatable {
        public let decision: ApprovalDecision
        public let first: ApprovalDecision

        public init(decision: ApprovalDecision, first: ApprovalDecision) {
            self.decision = decision
            self.first = first
        }
    }

    /// Every request, in the order recorded.
    public private(set) var requests: [ApprovalRequest] = []
    /// Decisions that did not count, in the order recorded.
    public private(set) var refused: [Refusal] = []
    private var requestIndex: [String: Int] = [:]
    private var winners: [String: ApprovalDecision] = [:]
    /// Request ID → the ID of the request that replaced it.
    private var replacements: [String: String] = [:]
    private var decisionIDs: Set<String> = []

    public init() {}

    /// Adds a request; the same request ID again is ignored.
    public mutating func record(_ request: ApprovalRequest) {
        guard requestIndex[request.id] == nil else { return }
        requestIndex[request.id] = requests.count
        requests.append(request)
        if let replaced = request.payload["supersedes"]?.stringValue { replacements[replaced] = request.id }
    }

    /// The request that replaced `requestID`, if one did.
    public func replacement(of requestID: String) -> String? { replacements[requestID] }

    /// Adds a decision: the first on its request wins (even before the request itself is
    /// recorded, as when retention has dropped it); later ones are refused.
    @discardableResult
    public mutating func record(_ decision: ApprovalDecision) -> Verdict {
        guard decisionIDs.insert(decision.id).inserted else { return .duplicate }
        if let first = winners[decision.requestID] {
            refused.append(Refusal(decision: decision, first: first))
            return .refused(first: first)
        }
        winners[decision.requestID] = decision
        return .accepted
    }

    public func request(id: String) -> ApprovalRequest? { requestIndex[id].map { requests[$0] } }

    /// The decision that counts for a request, if any.
    public func decision(on requestID: String) -> ApprovalDecision? { winners[requestID] }

    /// Where the request stands at `now`; nil for an unknown request.
    public func status(of requestID: String, at now: EventTime) -> Status? {
        guard let request = request(id: requestID) else { return nil }
        if let decision = winners[requestID] { return .decided(decision) }
        if let replacement = replacements[requestID] { return .superseded(by: replacement) }
        return request.isOverdue(at: now) ? .escalated : .pending
    }

    /// The undecided requests (pending and escalated), oldest first.
    public var undecided: [ApprovalRequest] { requests.filter { winners[$0.id] == nil && replacements[$0.id] == nil } }

    /// The decided requests with the decision that counts, in request order.
    public var decided: [(request: ApprovalRequest, decision: ApprovalDecision)] {
        requests.compactMap { request in winners[request.id].map { (request, $0) } }
    }
}
