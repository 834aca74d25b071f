#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The file through which a running `agentbus dev-broker` tells other commands where it is.
///
/// Two lines: the bootstrap list, then the dev-broker's process ID (so a file left behind by a
/// killed dev-broker is recognised as stale and ignored).
package struct DevBrokerFile: Sendable {
    package let path: String

    package init(path: String) { self.path = path }

    /// `$AGENTBUS_DEV_BROKER_FILE`, else `$XDG_RUNTIME_DIR/agentbus/dev-broker`, else
    /// `/tmp/agentbus-<uid>/dev-broker`.
    package static var wellKnown: DevBrokerFile {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["AGENTBUS_DEV_BROKER_FILE"], !path.isEmpty { return DevBrokerFile(path: path) }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return DevBrokerFile(path: "\(runtime)/agentbus/dev-broker")
        }
        return DevBrokerFile(path: "/tmp/agentbus-\(getuid())/dev-broker")
    }

    package struct Contents: Sendable, Hashable {
        package let bootstrapServers: String
        package let processID: Int32
    }

    /// What the file says, if it exists and names a process that is still running.
    package func read() -> Contents? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map { String($0.trimmingCharacters(in: .whitespaces)) }
        guard let bootstrap = lines.first, !bootstrap.isEmpty else { return nil }
        let processID = lines.count > 1 ? Int32(lines[1]) ?? 0 : 0
        if processID > 0, kill(processID, 0) != 0, errno == ESRCH { return nil }
        return Contents(bootstrapServers: bootstrap, processID: processID)
    }

    /// Writes the file atomically (readers never see half of it), creating its directory.
    package func write(bootstrapServers: String, processID: Int32 = getpid()) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "\(bootstrapServers)\n\(processID)\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Removes the file if it is this process's.
    package func remove(ifOwnedBy processID: Int32 = getpid()) {
        guard let contents = read(), contents.processID == processID else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
