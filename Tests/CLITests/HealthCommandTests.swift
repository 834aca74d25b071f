import Foundation
import TestSupport
import Testing

/// `agentbus health` where nothing answers (against a running agent: the probe tests in
/// AgentRuntimeTests).
@Suite("agentbus health")
struct HealthCommandTests {
    @Test("a port nothing listens on: exit 1 and one line saying so")
    func closedPort() async throws {
        // A port that was free a moment ago: bound, read, closed.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 ? getsockname(descriptor, pointer, &length) : -1
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(descriptor)
        #expect(port > 0)

        let finished = try await CLIRun.agentbus(["health", "--port", "\(port)", "--timeout", "2"])
        #expect(finished.status == 1)
        #expect(finished.output.isEmpty)
        #expect(finished.errors == ["agentbus health: nothing answers on 127.0.0.1:\(port): Connection refused"], "\(finished.errors)")
    }

    @Test("no port given and none in $AGENTBUS_HTTP_PORT: a usage error")
    func noPort() async throws {
        let process = try ChildProcess(["health"], removingEnvironment: ["AGENTBUS_HTTP_PORT"], capturingStandardError: true)
        #expect(await process.waitForExit() == 64)
        #expect(process.errorLines.first == "Error: no port: give --port or set AGENTBUS_HTTP_PORT", "\(process.errorLines)")
    }
}
