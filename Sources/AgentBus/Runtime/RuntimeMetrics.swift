import Kafka
import Metrics

/// The runtime's metrics (swift-metrics), labelled with the agent's name: whatever backend the
/// program bootstraps (Prometheus, which an agent started with `--http-port` serves, OpenTelemetry,
/// statsd) receives them; with none, they cost next to nothing.
///
/// Every metric object is made once, here or when a partition is first seen, so what an event
/// costs is an atomic add or two (a counter, the duration histogram), never an allocation. The
/// gauges are recorded at each heartbeat and, with `--http-port`, at each scrape of `/metrics`.
struct RuntimeMetrics: Sendable {
    let handled: Counter
    /// Handler attempts that threw or ran past their deadline.
    let failedAttempts: Counter
    let retried: Counter
    let duplicates: Counter
    let deadLettered: [FailureClass: Counter]
    /// How long successful and failed handler attempts took.
    let handlerDuration: Timer
    /// Records between the consumer's position and the end of each assigned partition.
    let lag: PartitionLagGauges
    /// Handler attempts abandoned at their deadline and still running.
    let abandoned: Gauge
    /// Handlings in progress: records past any retry-topic wait whose handler runs or whose
    /// outputs are being handed over.
    let inFlight: Gauge
    /// Each circuit breaker's state: 0 closed, 1 half-open, 2 open.
    let circuitStates: [String: Gauge]
    /// Tokens and cost of the model calls made by handlers.
    let modelCalls: ModelCallMetrics

    init(agent: String, circuitBreakers: [String] = []) {
        let dimensions = [("agent", agent)]
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
        lag = PartitionLagGauges(agent: agent)
        abandoned = Gauge(label: "agentbus_handlers_abandoned", dimensions: dimensions)
        inFlight = Gauge(label: "agentbus_handlings_in_flight", dimensions: dimensions)
        circuitStates = Dictionary(
            circuitBreakers.map { ($0, Gauge(label: "agentbus_circuit_state", dimensions: dimensions + [("dependency", $0)])) },
            uniquingKeysWith: { first, _ in first })
        modelCalls = ModelCallMetrics(agent: agent)
    }
}
