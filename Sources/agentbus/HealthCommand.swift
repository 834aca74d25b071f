import AgentBus
import ArgumentParser
import Foundation

/// `agentbus health`: asks a running agent's HTTP endpoint whether it is alive (`/healthz`) or
/// ready (`/readyz`), for a container's HEALTHCHECK, a systemd unit or a person.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Ask an agent started with --http-port whether it is healthy (or ready, with --ready).",
        discussion: """
            GETs /healthz (with --ready, /readyz) from the agent's HTTP endpoint, prints the \
            answer's body, and exits 0 when the agent answered 200, 1 otherwise (not healthy or \
            not ready, or nothing answered: then one line says so on stderr).
            """)

    @Option(help: ArgumentHelp("The agent's HTTP port. Default: $AGENTBUS_HTTP_PORT.", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("The agent's host. Default: 127.0.0.1.", valueName: "host"))
    var host: String = "127.0.0.1"

    @Flag(help: "Ask /readyz (in its group, with partitions, and a broker reachable) instead of /healthz.")
    var ready = false

    @Option(help: ArgumentHelp("Seconds to wait for the answer. Default: 5.", valueName: "seconds"))
    var timeout: Double = 5

    func validate() throws {
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be a number of seconds above 0, up to 300") }
        if let port, !(1...65_535).contains(port) { throw ValidationError("--port must be 1 to 65535, got \(port)") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let resolvedPort: Int
        if let port {
            resolvedPort = port
        } else if let text = environment["AGENTBUS_HTTP_PORT"], !text.isEmpty {
            guard let value = Int(text), (1...65_535).contains(value) else {
                throw ValidationError("AGENTBUS_HTTP_PORT must be a port, 1 to 65535, got \"\(text)\"")
            }
            resolvedPort = value
        } else {
            throw ValidationError("no port: give --port or set AGENTBUS_HTTP_PORT")
        }
        let path = ready ? "/readyz" : "/healthz"
        let host = host
        let wait = Duration.milliseconds(Int64(timeout * 1000))
        // The socket calls block: on a thread of their own, not Swift's pool.
        let result: Result<ProbeHTTPClient.Answer, ProbeHTTPClient.Failure> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(ProbeHTTPClient.Failure) in
                    try ProbeHTTPClient.get(host: host, port: resolvedPort, path: path, timeout: wait)
                })
            }
            thread.name = "agentbus-health"
            thread.start()
        }
        switch result {
        case .success(let answer):
            let body = answer.body.hasSuffix("\n") ? String(answer.body.dropLast()) : answer.body
            print(body.isEmpty ? "HTTP \(answer.status)" : body)
            if answer.status != 200 { throw ExitCode.failure }
        case .failure(let failure):
            Output.error("agentbus health: \(failure.description)")
            throw ExitCode.failure
        }
    }
}
