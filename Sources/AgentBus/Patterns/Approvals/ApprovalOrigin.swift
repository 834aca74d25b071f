#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a decision was made: the machine and the operating-system user, recorded in every
/// decision next to the approver so an audit can tell who typed it and where.
public struct ApprovalOrigin: Codable, Sendable, Equatable, Hashable {
    public var host: String
    public var user: String

    public init(host: String, user: String) {
        self.host = host
        self.user = user
    }

    /// This process's host name and user (the account's name, else `$USER`, else the numeric ID).
    public static func current(environment: [String: String]) -> ApprovalOrigin {
        var buffer = [UInt8](repeating: 0, count: 256)
        let named = buffer.withUnsafeMutableBytes { gethostname($0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1) } == 0
        let host = named ? String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self) : ""
        var user = ""
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { user = String(cString: name) }
        if user.isEmpty { user = environment["USER"] ?? environment["LOGNAME"] ?? "" }
        if user.isEmpty { user = "uid \(getuid())" }
        return ApprovalOrigin(host: host.isEmpty ? "unknown" : host, user: user)
    }
}
