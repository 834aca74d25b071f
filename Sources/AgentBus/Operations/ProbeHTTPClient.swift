import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 `GET` of one path, for `agentbus health` and the tests of the probes:
/// connects, sends the request, reads the answer to its end. Run it on a thread that may block.
package enum ProbeHTTPClient {
    package struct Answer: Sendable, Equatable {
        package var status: Int
        package var headers: [String: String]
        package var body: String
    }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// GETs `path` from `host:port`, waiting at most `timeout` for each step (connect, send,
    /// every read).
    ///
    /// - Throws: ``Failure`` in one line: nothing listening, no answer in time, not HTTP.
    package static func get(host: String, port: Int, path: String, method: String = "GET", timeout: Duration) throws(Failure)
        -> Answer
    {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let list else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var limit = timeval(
            tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        var lastError: Int32 = ECONNREFUSED
        var candidate: UnsafeMutablePointer<addrinfo>? = list
        var connected: Int32 = -1
        while let entry = candidate {
            candidate = entry.pointee.ai_next
            let descriptor = socket(entry.pointee.ai_family, entry.pointee.ai_socktype, entry.pointee.ai_protocol)
            guard descriptor >= 0 else { continue }
            // On Linux SO_SNDTIMEO bounds connect() too.
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            if connect(descriptor, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 {
                connected = descriptor
                break
            }
            lastError = errno
            close(descriptor)
        }
        guard connected >= 0 else {
            let reason = lastError == EINPROGRESS || lastError == EAGAIN ? "no answer within \(timeout)" : String(cString: strerror(lastError))
            throw Failure(description: "nothing answers on \(host):\(port): \(reason)")
        }
        defer { close(connected) }
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8)
        var offset = 0
        while offset < request.count {
            let written = request.withUnsafeBytes {
                send(connected, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw Failure(description: "\(host):\(port) closed the connection") }
            offset += written
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connected, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count < 0 {
                throw Failure(description: "\(host):\(port) did not answer \(path) within \(timeout)")
            }
            if count == 0 { break }
            received += chunk[..<count]
        }
        return try parse(received, from: "\(host):\(port)")
    }

    private static func parse(_ bytes: [UInt8], from origin: String) throws(Failure) -> Answer {
        let separator = Array("\r\n\r\n".utf8)
        guard let headEnd = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw Failure(description: "\(origin) sent no HTTP answer")
        }
        let lines = String(decoding: bytes[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw Failure(description: "\(origin) sent no HTTP status line")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, headers: headers, body: String(decoding: bytes[(headEnd + 4)...], as: UTF8.self))
    }
}
