import Foundation
import Testing

@testable import AgentBus

/// The agents' HTTP server without an agent: parsing, answers, slow clients, stopping.
@Suite("Probe HTTP server")
struct ProbeHTTPServerTests {
    @Test("a request line with headers parses; a query is dropped; a partial one asks for more")
    func parsing() {
        let request = Array("GET /readyz?verbose=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: kube-probe/1.30\r\n\r\n".utf8)
        #expect(HTTPRequestHead.parse(request) == .complete(HTTPRequestHead(method: "GET", path: "/readyz")))
        #expect(HTTPRequestHead.parse(Array("HEAD /healthz HTTP/1.0\n\n".utf8)) == .complete(HTTPRequestHead(method: "HEAD", path: "/healthz")))
        #expect(HTTPRequestHead.parse(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8)) == .incomplete)
        #expect(HTTPRequestHead.parse([]) == .incomplete)
        #expect(HTTPRequestHead.parse(Array("hello\r\n\r\n".utf8)) == .invalid)
        #expect(HTTPRequestHead.parse(Array("GET healthz HTTP/1.1\r\n\r\n".utf8)) == .invalid)
        #expect(HTTPRequestHead.parse(Array("GET /healthz SPDY/3\r\n\r\n".utf8)) == .invalid)
        let huge = Array("GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 9000))".utf8)
        #expect(HTTPRequestHead.parse(huge) == .tooLarge)
    }

    /// A server on a free loopback port that answers 200 with the path.
    private func server(readTimeout: Duration = .seconds(2)) throws -> ProbeHTTPServer {
        let server = try ProbeHTTPServer(address: HTTPListenAddress(host: "127.0.0.1", port: 0), readTimeout: readTimeout) { request in
            HTTPResponse(status: request.path == "/missing" ? 404 : 200, text: "path \(request.path)")
        }
        server.start()
        return server
    }

    private func get(_ port: Int, _ path: String, method: String = "GET") async throws -> ProbeHTTPClient.Answer {
        let result: Result<ProbeHTTPClient.Answer, ProbeHTTPClient.Failure> = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: Result { () throws(ProbeHTTPClient.Failure) in
                    try ProbeHTTPClient.get(host: "127.0.0.1", port: port, path: path, method: method, timeout: .seconds(5))
                })
            }.start()
        }
        return try result.get()
    }

    /// Connects to `port`, sends `bytes`, and returns everything the server sent until it closed.
    private func raw(_ port: Int, _ bytes: [UInt8]) async -> String {
        await withCheckedContinuation { continuation in
            Thread {
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(descriptor) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port)).bigEndian
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                var received: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { break }
                    received += chunk[..<count]
                }
                continuation.resume(returning: String(decoding: received, as: UTF8.self))
            }.start()
        }
    }

    @Test("GET and HEAD reach the handler; other methods get 405, oversized requests 431, garbage 400")
    func answers() async throws {
        let server = try server()
        defer { server.stop() }
        let port = server.address.port
        #expect(port > 0)

        let answer = try await get(port, "/healthz")
        #expect(answer.status == 200)
        #expect(answer.body == "path /healthz\n")
        #expect(answer.headers["connection"] == "close")
        #expect(try await get(port, "/missing").status == 404)

        let head = await raw(port, Array("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.contains("Content-Length: 14\r\n"))
        #expect(head.hasSuffix("\r\n\r\n"), "HEAD sends no body: \(head)")

        let post = try await get(port, "/healthz", method: "POST")
        #expect(post.status == 405)
        #expect(post.headers["allow"] == "GET, HEAD")

        let oversized = await raw(port, Array("GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 10_000))\r\n\r\n".utf8))
        #expect(oversized.hasPrefix("HTTP/1.1 431 "), "\(oversized.prefix(80))")
        let garbage = await raw(port, Array("\u{16}\u{03}\u{01} hello\r\n\r\n".utf8))
        #expect(garbage.hasPrefix("HTTP/1.1 400 "), "\(garbage.prefix(80))")
    }

    @Test("a client that connects and sends nothing does not hold up another probe")
    func silentClient() async throws {
        // A read timeout far above what the second probe may take.
        let server = try server(readTimeout: .seconds(10))
        defer { server.stop() }
        let port = server.address.port
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(silent, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)

        let start = ContinuousClock.now
        let answer = try await get(port, "/healthz")
        #expect(answer.status == 200)
        #expect(ContinuousClock.now - start < .seconds(2), "the probe waited behind the silent client")
    }

    @Test("a silent client is dropped after the read timeout")
    func readTimeout() async throws {
        let server = try server(readTimeout: .milliseconds(300))
        defer { server.stop() }
        let start = ContinuousClock.now
        // Sends half a request, then waits for the server to close.
        let answer = await raw(server.address.port, Array("GET /healthz HTTP/1.1\r\n".utf8))
        #expect(answer.isEmpty)
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test("stop ends a connection in progress and frees the port; a second server can bind it")
    func stopFreesThePort() async throws {
        let first = try server(readTimeout: .seconds(30))
        let port = first.address.port
        // A silent connection the stop must end (its read timeout is 30 s).
        let pending = Task { await raw(port, Array("GET /".utf8)) }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        first.stop()
        #expect(ContinuousClock.now - start < .seconds(2))
        _ = await pending.value
        #expect(throws: ProbeHTTPClient.Failure.self) { try ProbeHTTPClient.get(host: "127.0.0.1", port: port, path: "/", timeout: .seconds(1)) }

        let second = try ProbeHTTPServer(address: HTTPListenAddress(host: "127.0.0.1", port: port)) { _ in HTTPResponse(status: 200, text: "again") }
        second.start()
        defer { second.stop() }
        #expect(try await get(port, "/").body == "again\n")
    }

    @Test("a port in use is refused with one line naming it")
    func portInUse() throws {
        let first = try server()
        defer { first.stop() }
        let address = try HTTPListenAddress(host: "127.0.0.1", port: first.address.port)
        #expect {
            _ = try ProbeHTTPServer(address: address) { _ in HTTPResponse(status: 200, text: "") }
        } throws: { error in
            "\(error)" == "cannot listen on 127.0.0.1:\(first.address.port): Address already in use"
        }
    }

    @Test("listen addresses: IPv4 and IPv6 literals, ports 0 to 65535")
    func listenAddresses() throws {
        #expect(try HTTPListenAddress(port: 0).description == "0.0.0.0:0")
        #expect(try HTTPListenAddress(host: "::", port: 8080).description == "[::]:8080")
        #expect(throws: AgentConfigurationError.self) { try HTTPListenAddress(port: 65_536) }
        #expect(throws: AgentConfigurationError.self) { try HTTPListenAddress(host: "localhost", port: 80) }
        let options = try AgentOptions.parse(["--http-port", "9090", "--http-address", "127.0.0.1"])
        #expect(try options.httpListenAddress(environment: [:]) == HTTPListenAddress(host: "127.0.0.1", port: 9090))
        let fromEnvironment = try AgentOptions.parse([])
        #expect(try fromEnvironment.httpListenAddress(environment: ["AGENTBUS_HTTP_PORT": "0"]) == HTTPListenAddress(port: 0))
        #expect(try fromEnvironment.httpListenAddress(environment: [:]) == nil)
        #expect(throws: AgentConfigurationError.self) { try fromEnvironment.httpListenAddress(environment: ["AGENTBUS_HTTP_PORT": "http"]) }
    }
}
