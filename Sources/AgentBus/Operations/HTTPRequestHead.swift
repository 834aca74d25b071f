/// The request line of an HTTP/1.x request, read by ``ProbeHTTPServer``: all the probes need.
/// Headers are read (to find where the request ends, within ``maximumBytes``) and ignored; a
/// request body is never read.
package struct HTTPRequestHead: Sendable, Equatable {
    package var method: String
    /// The path, without its query string.
    package var path: String

    /// The most bytes a request line and its headers may take: probes and scrapers send a few
    /// hundred.
    package static let maximumBytes = 8192

    package enum Parse: Sendable, Equatable {
        case complete(HTTPRequestHead)
        /// The headers have not ended yet; read more.
        case incomplete
        /// Longer than ``maximumBytes`` without ending.
        case tooLarge
        /// Not an HTTP/1.x request line.
        case invalid
    }

    package init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    /// Parses what was read so far: complete once the blank line that ends the headers arrived.
    package static func parse(_ bytes: [UInt8]) -> Parse {
        guard let end = endOfHeaders(bytes) else { return bytes.count > maximumBytes ? .tooLarge : .incomplete }
        guard end <= maximumBytes else { return .tooLarge }
        let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\n"))!
        var line = bytes[..<lineEnd]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }),
            parts[1].first == UInt8(ascii: "/"), parts[2].starts(with: Array("HTTP/1.".utf8))
        else { return .invalid }
        let target = parts[1]
        let path = target.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target
        return .complete(
            HTTPRequestHead(method: String(decoding: parts[0], as: UTF8.self), path: String(decoding: path, as: UTF8.self)))
    }

    /// The index just past the blank line (CRLF CRLF, or LF LF from lax clients), if there is one.
    private static func endOfHeaders(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) {
            let next = newline + 1
            if next < bytes.count, bytes[next] == UInt8(ascii: "\n") { return next + 1 }
            if next + 1 < bytes.count, bytes[next] == UInt8(ascii: "\r"), bytes[next + 1] == UInt8(ascii: "\n") {
                return next + 2
            }
            index = next
        }
        return nil
    }
}
