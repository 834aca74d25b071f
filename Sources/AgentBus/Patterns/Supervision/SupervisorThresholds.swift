/// When ``SupervisorRules`` raise an alert. Default: every value as documented on it.
public struct SupervisorThresholds: Sendable, Hashable {
    /// An instance without a heartbeat for more than this many of its own heartbeat intervals is
    /// `instance-silent` (warning). Default: 2.
    public var silentAfterIntervals: Int = 2
    /// ... and for more than this many, without having said `stopped`, `instance-dead`
    /// (critical). Default: 3, the point where `agentbus agents` calls it stale.
    public var deadAfterIntervals: Int = 3
    /// An instance reporting more lag than this is `lag-high`; nil: not checked. Default: 10,000.
    public var lag: Int64? = 10_000
    /// An agent's dead-letter topic gaining at least this many within ``deadLetterWindow`` is
    /// `dead-letters-growing`; nil: not checked. Default: 5.
    public var deadLetterGrowth: Int? = 5
    /// Default: 5 minutes.
    public var deadLetterWindow: Duration = .seconds(300)
    /// A workflow without activity for this long that has not handled one of ``terminalTypes``
    /// is `workflow-stalled`. Default: 5 minutes.
    public var stallAfter: Duration = .seconds(300)
    /// The event types that end a workflow (its last agent's input, or a sink's). The supervisor
    /// sees workflows through activity records, so a terminal type must be one some agent
    /// handles. Empty: workflows are not watched. Default: empty.
    public var terminalTypes: Set<String> = []
    /// Most workflows watched at once; past it the longest idle are dropped (counted in
    /// ``SupervisorRules/droppedWorkflows``). Default: 10,000.
    public var maxTrackedWorkflows: Int = 10_000
    /// Instances that stopped or died, and stalled workflows, are forgotten after this long
    /// without news. Default: 1 hour.
    public var forgetAfter: Duration = .seconds(3600)

    public init() {}
}
