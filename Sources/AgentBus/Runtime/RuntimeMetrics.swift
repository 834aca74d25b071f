import Metrics

/// The runtime's metrics (swift-metrics), labelled with the agent's name: whatever backend the
/// program bootstraps (Prometheus, OpenTelemetry, statsd) receives them; with none, they cost
/// next to nothing.
struct RuntimeMetrics: Sendable {
    let handled: Counter
    /// Handler attempts that threw or ran past their deadline.
    let failedAttempts: Counter
    let retried: Counter
    let duplicates: Counter
    let deadLettered: [FailureClass: Counter]
    /// How long successful and failed handler attempts took.
    let handlerDuration: Timer
    /// Records between the consumer's position and the end of its partitions, at each heartbeat.
    let lag: Gauge
    /// Handler attempts abandoned at their deadline and still running, at each heartbeat.
    let abandoned: Gauge
    private let dimensions: [(String, String)]

    /// A circuit breaker's state, at each heartbeat: 0 closed, 1 half-open, 2 open.
    func circuitState(_ name: String) -> Gauge {
        Gauge(label: "agentbus_circuit_state", dimensions: dimensions + [("dependency", name)])
    }

    init(agent: String) {
        let dimensions = [("agent", agent)]
        self.dimensions = dimensions
        handled = Counter(label: "agentbus_events_handled_total", dimensions: dimensions)
        failedAttempts = Counter(label: "agentbus_handler_failures_total", dimensions: dimensions)
        retried = Counter(label: "agentbus_events_retried_total", dimensions: dimensions)
        duplicates = Counter(label: "agentbus_events_duplicate_total", dimensions: dimensions)
        deadLettered = Dictionary(
            uniqueKeysWithValues: FailureClass.allCases.map { failureClass in
                (failureClass, Counter(
                    label: "agentbus_events_dead_lettered_total",
                    dimensions: dimensions + [("failure_class", failureClass.rawValue)]))
            })
        handlerDuration = Timer(label: "agentbus_handler_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
        lag = Gauge(label: "agentbus_consumer_lag", dimensions: dimensions)
        abandoned = Gauge(label: "agentbus_handlers_abandoned", dimensions: dimensions)
    }
}
