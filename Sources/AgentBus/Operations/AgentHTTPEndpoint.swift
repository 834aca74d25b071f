import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// An agent's (or the supervisor's) HTTP endpoint (`--http-port`): `GET /healthz`, `GET /readyz`
/// and `GET /metrics`, served by a ``ProbeHTTPServer`` on threads of its own, answered by its
/// ``ProbeTarget``.
///
/// - `/healthz`: 200 `ok` while the instance is alive by ``HealthRule`` (its consumer's polling
///   loop and a task on Swift's concurrency pool both ran within 30 s); 503 and the reason
///   otherwise.
/// - `/readyz`: 200 `ready: N partitions assigned` once the instance holds an assignment from its
///   group and a broker answers (``AgentRuntime/readiness()``; the supervisor's once it has read
///   what it judges, ``Supervisor/readiness()``); 503 and the reason otherwise.
/// - `/metrics`: the Prometheus text exposition (version 0.0.4) of every swift-metrics metric
///   of the process, the runtime's gauges recorded just before.
///
/// A `Service` of the agent's group, added first so that it stops last: it answers while the
/// runtime drains, and its threads are gone and its port free once the agent has stopped. Its
/// `run()` is also the pool's tick (``PoolTick``): one task that wakes every second, whose
/// silence `/healthz` reports.
package final class AgentHTTPEndpoint: Service, Sendable {
    /// `agentbus_handler_duration_seconds`' buckets (and every other timer's): 1 ms to 60 s,
    /// roughly 1-2.5-5 per decade, what handlers take from a cache hit to a slow model call.
    package static let durationBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    private let server: ProbeHTTPServer
    private let logger: Logger
    private let tick = PoolTick()

    /// Binds `address`; serving starts when the service runs.
    ///
    /// - Parameter metrics: the registry `/metrics` exposes; nil answers 404 there (the program
    ///   bootstrapped another metrics backend).
    /// - Throws: ``ProbeHTTPServer/BindError`` (the port is taken, the address is not local).
    package init(
        address: HTTPListenAddress, target: some ProbeTarget, metrics: PrometheusCollectorRegistry?, rule: HealthRule = HealthRule(),
        logger: Logger
    ) throws(ProbeHTTPServer.BindError) {
        self.logger = logger
        let tick = tick
        server = try ProbeHTTPServer(address: address) { [weak target] request in
            guard let target else { return HTTPResponse(status: 503, text: "stopping") }
            switch request.path {
            case "/healthz":
                if let problem = target.healthProblem(rule: rule, lastTick: tick.lastTick, now: MonotonicClock.nanoseconds()) {
                    return HTTPResponse(status: 503, text: "unhealthy: \(problem)")
                }
                return HTTPResponse(status: 200, text: "ok")
            case "/readyz":
                let (ready, text) = target.readiness()
                return HTTPResponse(status: ready ? 200 : 503, text: text)
            case "/metrics":
                guard let metrics else { return HTTPResponse(status: 404, text: "no Prometheus metrics in this process") }
                target.recordGaugesForScrape()
                return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.emitToBuffer())
            default:
                return HTTPResponse(status: 404, text: "not found; try /healthz, /readyz or /metrics")
            }
        }
    }

    /// The address and port bound (the port the system chose for `--http-port 0`).
    package var address: HTTPListenAddress { server.address }

    /// The line an agent logs when its endpoint listens; tests read the port from it.
    package static func listeningMessage(_ address: HTTPListenAddress) -> String {
        "http endpoint listening on \(address) (/healthz /readyz /metrics)"
    }

    package func run() async throws {
        server.start()
        logger.info("\(Self.listeningMessage(server.address))")
        await cancelWhenGracefulShutdown { await self.tick.run() }
        server.stop()
    }

    /// Makes swift-metrics report to a new Prometheus registry, with ``durationBuckets``, and
    /// returns the registry. A process bootstraps its metrics system once: an agent started with
    /// `--http-port` owns it, so the agent's own code must not bootstrap one.
    package static func bootstrapPrometheus() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
