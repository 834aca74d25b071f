import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server over POSIX sockets for an agent's probes and metrics: `GET` and
/// `HEAD`, one request per connection (`Connection: close`), no request bodies.
///
/// It runs on threads of its own, never on Swift's cooperative pool, so a pool starved by
/// blocking handlers can still be reported unhealthy, and it never touches the runtime's hot
/// path: ``handler`` reads state the runtime keeps anyway. One thread accepts; each connection
/// is served on a short-lived thread of its own, at most ``maximumConnections`` at once (more are
/// closed at once), and a client gets ``readTimeout`` to send its request: one that connects and
/// sends nothing holds up only its own thread, for that long.
package final class ProbeHTTPServer: Sendable {
    /// Where it listens; ``HTTPListenAddress/port`` is the port bound (chosen by the system for 0).
    package let address: HTTPListenAddress
    /// How long a client may take to send its request, and the server to send its answer.
    /// Default: 2 s.
    package let readTimeout: Duration
    /// Connections served at once. Default: 8.
    package let maximumConnections: Int

    private let listener: Int32
    private let handler: @Sendable (HTTPRequestHead) -> HTTPResponse
    private let state = Mutex(State())
    /// Signalled when the accepting thread has closed the listening socket.
    private let acceptDone = DispatchSemaphore(value: 0)

    private struct State {
        var started = false
        var stopped = false
        var connections: Set<Int32> = []
    }

    package struct BindError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Binds and listens; serving begins with ``start()``.
    ///
    /// - Parameter handler: answers a parsed `GET` or `HEAD` request (the server answers the
    ///   rest: 400, 405, 431); called on a connection's thread, where it may block briefly.
    /// - Throws: ``BindError`` naming the address and why (`Address already in use`).
    package init(
        address: HTTPListenAddress, readTimeout: Duration = .seconds(2), maximumConnections: Int = 8,
        handler: @escaping @Sendable (HTTPRequestHead) -> HTTPResponse
    ) throws(BindError) {
        self.readTimeout = readTimeout
        self.maximumConnections = maximumConnections
        self.handler = handler
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BindError(description: "cannot create a socket: \(Self.errorText())") }
        var one: Int32 = 1
        // Lets a restarted agent bind at once while old connections linger in TIME_WAIT; a port
        // another process listens on is still refused.
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if address.isIPv6 {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = in_port_t(UInt16(address.port)).bigEndian
            inet_pton(AF_INET6, address.host, &socketAddress.sin6_addr)
            bound = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = in_port_t(UInt16(address.port)).bigEndian
            inet_pton(AF_INET, address.host, &socketAddress.sin_addr)
            bound = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            let text = Self.errorText()
            close(descriptor)
            throw BindError(description: "cannot listen on \(address): \(text)")
        }
        var actual = address
        actual.port = Self.boundPort(descriptor) ?? address.port
        self.address = actual
        listener = descriptor
    }

    deinit {
        if !state.withLock({ $0.started }) { close(listener) }
    }

    /// Accepts connections on a thread of its own until ``stop()``.
    package func start() {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopped
        }
        guard first else { return }
        let thread = Thread { [self] in acceptConnections() }
        thread.name = "agentbus-http"
        thread.start()
    }

    /// Stops accepting, ends the connections being served, and returns once every thread of the
    /// server is gone and the port is free. Safe to call twice.
    package func stop() {
        let wasStarted = state.withLock { state in
            defer { state.stopped = true }
            // Under the lock: a connection leaves the set before its socket is closed, so every
            // descriptor here is still its own (not a number reused by another socket).
            for connection in state.connections { shutdown(connection, Int32(SHUT_RDWR)) }
            return state.started && !state.stopped
        }
        guard wasStarted else { return }
        // shutdown wakes the thread blocked in accept (close alone would not).
        shutdown(listener, Int32(SHUT_RDWR))
        acceptDone.wait()
        // Connection threads end within the read timeout at worst; their sockets were shut down,
        // so at once in practice.
        while !state.withLock({ $0.connections.isEmpty }) { usleep(1000) }
    }

    private func acceptConnections() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if state.withLock({ $0.stopped }) { break }
                // Out of descriptors, for instance: do not spin.
                usleep(100_000)
                continue
            }
            let admitted = state.withLock { state in
                guard !state.stopped, state.connections.count < maximumConnections else { return false }
                state.connections.insert(connection)
                return true
            }
            guard admitted else {
                close(connection)
                continue
            }
            let thread = Thread { [self] in
                serve(connection)
                state.withLock { _ = $0.connections.remove(connection) }
                close(connection)
            }
            thread.name = "agentbus-http-connection"
            thread.start()
        }
        close(listener)
        acceptDone.signal()
    }

    private func serve(_ connection: Int32) {
        var limit = timeval(
            tv_sec: Int(readTimeout.components.seconds),
            tv_usec: Int(readTimeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        // The read timeout bounds each recv; this bounds the whole request, so a client that
        // trickles a byte at a time cannot hold the thread longer.
        let deadline = ContinuousClock.now + readTimeout
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while true {
            switch HTTPRequestHead.parse(received) {
            case .complete(let request):
                respond(connection, to: request)
                return
            case .tooLarge:
                send(connection, HTTPResponse(status: 431, text: "request headers larger than \(HTTPRequestHead.maximumBytes) bytes"))
                return
            case .invalid:
                send(connection, HTTPResponse(status: 400, text: "not an HTTP/1.x request"))
                return
            case .incomplete:
                break
            }
            guard ContinuousClock.now < deadline else { return }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            // End of stream, an error, or the read timeout: nothing to answer.
            guard count > 0 else { return }
            received += chunk[..<count]
        }
    }

    private func respond(_ connection: Int32, to request: HTTPRequestHead) {
        guard request.method == "GET" || request.method == "HEAD" else {
            send(connection, HTTPResponse(status: 405, text: "only GET and HEAD", headers: [("Allow", "GET, HEAD")]))
            return
        }
        send(connection, handler(request), includingBody: request.method == "GET")
    }

    private func send(_ connection: Int32, _ response: HTTPResponse, includingBody: Bool = true) {
        let bytes = response.serialized(includingBody: includingBody)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(connection, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
        // Tell the client the answer is complete before the socket is closed.
        shutdown(connection, Int32(SHUT_WR))
    }

    private static func boundPort(_ descriptor: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return nil
        }
    }

    private static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}
