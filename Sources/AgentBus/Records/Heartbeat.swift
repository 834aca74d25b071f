/// An agent instance saying it is alive, and how it is doing: written to `agentbus.heartbeats`
/// every ``interval`` and once more, with status `stopped`, when it stops.
///
/// ``jsonBytes`` writes it and ``init(json:)`` reads it.
public struct Heartbeat: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case starting, running, stopping, stopped
        /// Running, but too many handler attempts abandoned at their deadline are still running
        /// (handlers that ignore cancellation hold threads and memory): restart the instance.
        case unhealthy
    }

    public var agent: String
    public var instance: String
    public var version: String
    public var host: String
    public var pid: Int32
    public var status: Status
    /// When the instance started and when this heartbeat was written (ms since 1970).
    public var startedAt: Int64
    public var time: Int64
    /// Milliseconds until the next heartbeat; an instance silent for three intervals is gone.
    public var intervalMs: Int64
    /// Counters since the instance started.
    public var handled: Int
    public var failed: Int
    public var retried: Int
    public var deadLettered: Int
    public var duplicates: Int
    /// Records between the consumer's position and the end of its partitions.
    public var lag: Int64
    /// Events being handled or awaiting acknowledgement right now.
    public var inFlight: Int
    /// The partitions the instance owns, as `topic/partition`.
    public var partitions: [String]
    /// Handler attempts abandoned at their deadline whose tasks have not ended yet.
    public var abandoned: Int
    /// The instance's circuit breakers that are not closed, as `name=state` (`open`,
    /// `half-open`); empty when all are closed.
    public var circuits: [String]

    public init(
        agent: String, instance: String, version: String, host: String, pid: Int32, status: Status, startedAt: Int64,
        time: Int64, intervalMs: Int64, handled: Int, failed: Int, retried: Int, deadLettered: Int, duplicates: Int,
        lag: Int64, inFlight: Int, partitions: [String], abandoned: Int = 0, circuits: [String] = []
    ) {
        self.agent = agent
        self.instance = instance
        self.version = version
        self.host = host
        self.pid = pid
        self.status = status
        self.startedAt = startedAt
        self.time = time
        self.intervalMs = intervalMs
        self.handled = handled
        self.failed = failed
        self.retried = retried
        self.deadLettered = deadLettered
        self.duplicates = duplicates
        self.lag = lag
        self.inFlight = inFlight
        self.partitions = partitions
        self.abandoned = abandoned
        self.circuits = circuits
    }

    /// The Kafka key: one instance's heartbeats stay in order on one partition.
    public var key: String { "\(agent)/\(instance)" }

    /// True when the instance is running and its last heartbeat is recent (three intervals).
    public func isLive(at now: Int64) -> Bool {
        status != .stopped && now - time <= 3 * max(intervalMs, 1)
    }
}
