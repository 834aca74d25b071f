import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension DevBrokerProcess {
    /// Takes every broker of the dev-broker down: their connections close and they refuse new
    /// ones, as when a cluster becomes unreachable (the control socket's `broker-down all`).
    public func takeBrokersDown() async throws { try await control("broker-down all") }

    /// Brings the brokers taken down back (`broker-up all`).
    public func bringBrokersUp() async throws { try await control("broker-up all") }

    /// Sends one request line to the dev-broker's control socket (its bootstrap file + `.sock`)
    /// and returns when it answered `ok`; throws with its answer otherwise.
    public func control(_ request: String) async throws {
        let path = bootstrapFile + ".sock"
        let answer: String? = await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: Self.exchange(request, path: path)) }
            thread.start()
        }
        guard answer == "ok" else {
            throw TestFailure("dev-broker control \"\(request)\": \(answer ?? "no answer on \(path)")")
        }
    }

    private static func exchange(_ request: String, path: String) -> String? {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return nil }
        let line = Array((request + "\n").utf8)
        guard line.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == line.count else {
            return nil
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while !received.contains(UInt8(ascii: "\n")) {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            received += chunk[..<count]
        }
        return String(decoding: received.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }
}
