import Kafka

/// What the HTTP endpoint (``AgentHTTPEndpoint``) asks the runtime: state it keeps anyway, read
/// off the hot path.
extension AgentRuntime: ProbeTarget {
    /// Why the instance is not alive, by `rule`, or nil when it is: its consumer's polling thread
    /// and the concurrency pool's tick (at `lastTick`) both moved lately.
    package func healthProblem(rule: HealthRule, lastTick: UInt64, now: UInt64 = MonotonicClock.nanoseconds()) -> String? {
        rule.problem(now: now, lastPoll: consumer.lastPollMonotonicNanoseconds, lastTick: lastTick)
    }

    /// Whether the instance does its work: it holds an assignment from its group and a broker
    /// answered a round trip lately (``BrokerReachability``). The text says how many partitions
    /// it owns, or why it is not ready. Blocks for up to a second when the round trip is due and
    /// the brokers are away: call it from a thread that may block.
    package func readiness() -> (ready: Bool, text: String) {
        let partitions = consumer.assignment.count
        let owned = "\(partitions) partition\(partitions == 1 ? "" : "s") assigned"
        guard hasAssignment.load(ordering: .relaxed) else {
            return (false, "not ready: not in its consumer group yet (no assignment); \(owned)")
        }
        let consumer = consumer
        if let problem = brokerReachability.problem(check: { try consumer.checkBrokerReachableBlocking(timeout: $0) }) {
            return (false, "not ready: \(problem); \(owned)")
        }
        return (true, "ready: \(owned)")
    }

    /// Records the gauges (lag per partition, handlings in flight, abandoned handlers, circuit
    /// states) from the runtime's own counters: at each heartbeat, and before each scrape of
    /// `/metrics`. Returns what the heartbeat reports besides.
    package func recordGaugesForScrape() { recordGauges() }

    @discardableResult
    package func recordGauges() -> (lag: [KafkaTopicPartition: Int64], inFlight: Int, abandoned: Int) {
        let metrics = processor.metrics
        let lag = consumer.lag()
        metrics.lag.record(lag)
        metrics.inFlight.record(processor.counters.inFlight.load(ordering: .relaxed))
        let abandoned = processor.counters.abandoned.load(ordering: .relaxed)
        metrics.abandoned.record(abandoned)
        for breaker in circuitBreakers {
            let state = breaker.state
            metrics.circuitStates[breaker.name]?.record(state == .closed ? 0 : state == .halfOpen ? 1 : 2)
        }
        // Read and not yet stored: being handled, or awaiting acknowledgement of what it produced.
        let unsettled = workerLedgerCount()
        return (lag, unsettled, abandoned)
    }
}
