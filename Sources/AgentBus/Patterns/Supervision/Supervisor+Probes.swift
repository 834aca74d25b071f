import Kafka

/// What the supervisor's HTTP endpoint (`supervisor --http-port`) asks it.
extension Supervisor: ProbeTarget {
    /// Why the supervisor is not alive by `rule`, or nil: its consumer's polling thread and the
    /// concurrency pool's tick both moved lately.
    package func healthProblem(rule: HealthRule, lastTick: UInt64, now: UInt64) -> String? {
        rule.problem(now: now, lastPoll: consumer.lastPollMonotonicNanoseconds, lastTick: lastTick)
    }

    /// Ready once it has read the heartbeats, activity and dead letters that were there when it
    /// started (before that it judges nothing) and a broker answers a round trip.
    package func readiness() -> (ready: Bool, text: String) {
        guard state.withLock({ $0.caughtUp }) else {
            return (false, "not ready: still reading the heartbeats, activity and dead letters written before its start")
        }
        let consumer = consumer
        if let problem = brokerReachability.problem(check: { try consumer.checkBrokerReachableBlocking(timeout: $0) }) {
            return (false, "not ready: \(problem)")
        }
        return (true, "ready: judging every \(configuration.interval)")
    }

    /// It keeps no gauges.
    package func recordGaugesForScrape() {}
}
