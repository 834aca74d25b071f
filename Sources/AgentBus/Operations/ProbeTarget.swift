/// What an ``AgentHTTPEndpoint`` asks the program it serves: an agent's ``AgentRuntime`` or a
/// ``Supervisor``. Each answers from state it keeps anyway, called on the endpoint's threads,
/// off the hot path.
package protocol ProbeTarget: AnyObject, Sendable {
    /// Why the program is not alive by `rule` (its consumer's polling thread and the concurrency
    /// pool's tick, last at `lastTick`, both moved lately), or nil when it is.
    func healthProblem(rule: HealthRule, lastTick: UInt64, now: UInt64) -> String?
    /// Whether it does its work, and a line saying what it has or why not. May block for up to a
    /// second on a broker round trip: call it from a thread that may block.
    func readiness() -> (ready: Bool, text: String)
    /// Records its gauges, just before `/metrics` is read.
    func recordGaugesForScrape()
}
