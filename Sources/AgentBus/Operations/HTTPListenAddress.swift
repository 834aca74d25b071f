#if canImport(Glibc)
import Glibc
#endif

/// Where an agent's HTTP endpoint listens (`--http-address`, `--http-port`): an IPv4 or IPv6
/// address literal and a port, 0 for any free one.
public struct HTTPListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Default for ``host``: every IPv4 interface, so a container's probes can reach it.
    public static let defaultHost = "0.0.0.0"

    /// - Throws: ``AgentConfigurationError`` for a port outside 0...65535 or a host that is not
    ///   an IP address literal.
    public init(host: String = Self.defaultHost, port: Int) throws(AgentConfigurationError) {
        guard (0...65_535).contains(port) else {
            throw AgentConfigurationError("http port must be 0 to 65535, got \(port)")
        }
        guard Self.isAddressLiteral(host) else {
            throw AgentConfigurationError("http address must be an IP address such as 0.0.0.0, 127.0.0.1 or ::, got \"\(host)\"")
        }
        self.host = host
        self.port = port
    }

    /// `0.0.0.0:8080`, `[::]:8080`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    var isIPv6: Bool { host.contains(":") }

    private static func isAddressLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
