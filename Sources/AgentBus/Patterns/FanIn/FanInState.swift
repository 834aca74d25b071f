/// Where one workflow's fan-in stands: which branches are expected, which results arrived, and
/// whether it is over. Kept in the agent's state (``HandlerContext/state(_:for:)``) under
/// ``FanIn/stateKey(for:)``, so a restart mid-collection loses nothing.
public struct FanInState<Result: Codable & Sendable>: Codable, Sendable {
    /// The branches the fan-out event named; nil until that event was handled (a branch's result
    /// can arrive first).
    public var expected: [String]?
    /// The results so far, by branch; a branch's second result is a duplicate and is not kept.
    public var results: [String: Result]
    /// Set once the fan-in completed or gave up: later results are duplicates.
    public var outcome: Outcome?
    /// The event whose handling ended it, so only a re-run of that handling publishes the
    /// completion again (with the same derived ID).
    public var endedBy: String?
    /// When it ended, in milliseconds since 1970.
    public var endedAt: Int64?

    public enum Outcome: String, Codable, Sendable {
        /// Every expected branch reported.
        case complete
        /// The deadline passed; completed with the branches that reported.
        case partial
        /// The deadline passed and the policy is to fail.
        case failed
    }

    public init() {
        results = [:]
    }

    /// The expected branches that have not reported, sorted; empty when the expectation is not
    /// known yet.
    public var missing: [String] {
        (expected ?? []).filter { results[$0] == nil }.sorted()
    }

    /// Whether every expected branch reported.
    public var hasAllResults: Bool {
        guard let expected else { return false }
        return expected.allSatisfy { results[$0] != nil }
    }
}
