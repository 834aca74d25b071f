import ArgumentParser
import Foundation

/// `--http-port` and `--http-address`: where a program's HTTP endpoint (`/healthz`, `/readyz`,
/// Prometheus `/metrics`; ``AgentHTTPEndpoint``) listens. Every agent has them through
/// ``AgentOptions``; the supervisor takes them as they are.
///
/// With a port, the program owns the process's metrics system: it bootstraps swift-metrics with
/// Prometheus at start, and a program can bootstrap only once, so its own code must not. Without
/// one, nothing is bootstrapped (metrics go nowhere unless the program bootstraps a backend).
public struct HTTPOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp(
        "Serve /healthz, /readyz and Prometheus /metrics over HTTP on this port (0: any free port, logged at start). Default: $AGENTBUS_HTTP_PORT, then no HTTP endpoint.",
        valueName: "port"))
    public var httpPort: String?

    @Option(name: .long, help: ArgumentHelp(
        "The IP address the HTTP endpoint listens on. Default: $AGENTBUS_HTTP_ADDRESS, then 0.0.0.0 (every interface, so a container's probes reach it).",
        valueName: "address"))
    public var httpAddress: String?

    public init() {}

    /// Checks the flags when the command line is parsed (variables are checked by
    /// ``listenAddress(environment:)``).
    public func validate() throws {
        do { _ = try listenAddress(environment: [:]) } catch { throw ValidationError(error.message) }
    }

    /// Where the endpoint listens: `--http-port`, else `$AGENTBUS_HTTP_PORT`, on
    /// `--http-address`, else `$AGENTBUS_HTTP_ADDRESS`, else `0.0.0.0`; nil without a port (no
    /// endpoint).
    ///
    /// - Throws: ``AgentConfigurationError`` for a port that is not 0 to 65535 or an address
    ///   that is not an IP address.
    public func listenAddress(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentConfigurationError) -> HTTPListenAddress? {
        guard let text = Self.value(httpPort, "AGENTBUS_HTTP_PORT", environment) else { return nil }
        guard let port = Int(text) else { throw AgentConfigurationError("http port must be 0 to 65535, got \"\(text)\"") }
        return try HTTPListenAddress(
            host: Self.value(httpAddress, "AGENTBUS_HTTP_ADDRESS", environment) ?? HTTPListenAddress.defaultHost, port: port)
    }

    private static func value(_ flag: String?, _ variable: String, _ environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }
}
