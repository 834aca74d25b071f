import Foundation
import Synchronization

/// A dev-broker process with its own bootstrap file, so tests never touch the user's.
public struct DevBrokerProcess: Sendable {
    public let process: ChildProcess
    public let bootstrapServers: String
    public let bootstrapFile: String

    /// Starts a dev-broker with `topics` (`name:partitions,...`) and the topics of the schema
    /// catalog in `schemas`, if given; `arguments` are added as they are (e.g. `--agent NAME`).
    public static func start(
        topics: String? = nil, brokers: Int = 1, schemas: String? = nil, arguments extra: [String] = []
    ) async throws -> DevBrokerProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-test-\(UUID().uuidString)")
        let file = directory.appendingPathComponent("dev-broker").path
        var arguments = ["dev-broker", "--brokers", "\(brokers)", "--bootstrap-file", file]
        if let topics { arguments += ["--topics", topics] }
        // Without schemas, an empty catalog: the repository's topics are not created.
        let empty = directory.appendingPathComponent("no-schemas")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        arguments += ["--schemas", schemas ?? empty.path] + extra
        let process = try ChildProcess(arguments)
        guard let bootstrap = await process.firstLine() else {
            throw TestFailure("dev-broker printed no bootstrap line")
        }
        return DevBrokerProcess(process: process, bootstrapServers: bootstrap, bootstrapFile: file)
    }

    public func stop() async {
        process.signal(SIGTERM)
        _ = await process.waitForExit()
    }
}
