import Foundation
import TestSupport
import Testing

/// A newcomer's path with `agentbus new agent`: scaffold a package, build it and run its tests
/// against this checkout, then run the agent from a directory with no schemas in it, against a
/// dev-broker, and see an event through it.
@Suite("agentbus new agent", .serialized, .timeLimit(.minutes(12)))
struct NewAgentTests {
    static let repository = PublishTailTests.repository
    /// The scaffolded package's build folder, kept between runs so a second run is incremental.
    static let scratch = repository.appendingPathComponent(".build/scaffolded-agent")

    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-new-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// `swift ARGUMENTS` in `directory`, to completion.
    func swift(_ arguments: [String], in directory: URL) async throws -> PublishTailTests.Finished {
        let process = try ChildProcess(
            arguments, executable: "/usr/bin/env", currentDirectory: directory, capturingStandardError: true)
        let status = await process.waitForExit()
        return PublishTailTests.Finished(status: status, output: process.lines, errors: process.errorLines)
    }

    @Test("a bad name or a non-empty folder is refused with one line, writing nothing")
    func refusals() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let badName = try await CLIRun.agentbus(["new", "agent", "triage_bot", "--path", directory.appendingPathComponent("x").path])
        #expect(badName.status != 0)
        #expect(badName.errors.contains { $0.contains("lowercase letters, digits and single '-'") })
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x").path))
        let clash = try await CLIRun.agentbus(["new", "agent", "event-handler", "--path", directory.appendingPathComponent("y").path])
        #expect(clash.status != 0)
        #expect(clash.errors.contains { $0.contains("would name the agent's type EventHandler") })

        try Data("keep".utf8).write(to: directory.appendingPathComponent("notes.txt"))
        let occupied = try await CLIRun.agentbus(["new", "agent", "triage", "--path", directory.path])
        #expect(occupied.status != 0)
        #expect(occupied.errors.contains { $0.contains("exists and is not empty") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["notes.txt"])
    }

    @Test("scaffold, build, test, and run the agent from any directory against a dev-broker")
    func newcomersPath() async throws {
        let workspace = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: workspace) }
        let package = workspace.appendingPathComponent("triage")
        let created = try await CLIRun.agentbus([
            "new", "agent", "triage", "--path", package.path, "--agentbus", Self.repository.path,
        ])
        #expect(created.status == 0, "\(created.errors)")
        #expect(created.output.first?.hasPrefix("created ") == true)

        // The build folder outlives the package (a new folder each run): plan afresh, since SwiftPM
        // keeps a plan while no manifest changes, even when this checkout's files moved.
        if let platforms = try? FileManager.default.contentsOfDirectory(atPath: Self.scratch.path) {
            for platform in platforms {
                try? FileManager.default.removeItem(at: Self.scratch.appendingPathComponent("\(platform)/debug/description.json"))
            }
        }
        let build = try await swift(["swift", "build", "--build-tests", "--scratch-path", Self.scratch.path], in: package)
        try #require(build.status == 0, "the scaffolded package does not build:\n\(build.output.suffix(30).joined(separator: "\n"))")
        let test = try await swift(["swift", "test", "--skip-build", "--scratch-path", Self.scratch.path], in: package)
        #expect(test.status == 0, "\((test.output + test.errors).suffix(30).joined(separator: "\n"))")
        #expect((test.output + test.errors).contains { $0.contains("2 tests") && $0.contains("passed") })

        let agent = Self.scratch.appendingPathComponent("debug/triage").path
        let help = try ChildProcess(["--help"], executable: agent, capturingStandardError: true)
        #expect(await help.waitForExit() == 0)
        let helpText = (help.lines + help.errorLines).joined(separator: "\n")
        for expected in ["--urgent-words", "TRIAGE_URGENT_WORDS", "--brokers", "AGENTBUS_BROKERS", "--instance-id"] {
            #expect(helpText.contains(expected), "--help does not mention \(expected)")
        }

        let schemas = package.appendingPathComponent("Sources/TriageAgent/schemas").path
        let broker = try await DevBrokerProcess.start(schemas: schemas, arguments: ["--agent", "triage"])
        defer { Task { await broker.stop() } }
        // An empty folder, and no AGENTBUS_SCHEMAS: the agent must use the schemas compiled into it.
        let elsewhere = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let running = try ChildProcess(
            ["--bootstrap-file", broker.bootstrapFile, "-X", "session.timeout.ms=6000"], executable: agent,
            removingEnvironment: ["AGENTBUS_SCHEMAS"], currentDirectory: elsewhere, capturingStandardError: true)
        #expect(await running.waitForErrorLines(timeout: .seconds(60)) { $0.contains { $0.contains("partitions assigned") } },
            "\(running.errorLines.suffix(10))")

        let published = try await CLIRun.agentbus([
            "publish", "com.example.triage.requested.v1", "--schemas", schemas,
            "--data", #"{"requestId": "REQ-9", "text": "Payments are down since noon"}"#,
        ], broker)
        #expect(published.status == 0, "\(published.errors)")
        let tail = try ChildProcess([
            "tail", "triage.results", "--json", "--from-beginning", "--limit", "1", "--schemas", schemas,
            "--bootstrap-file", broker.bootstrapFile,
        ])
        #expect(await tail.waitForExit() == 0)
        let result = tail.lines.joined()
        #expect(result.contains(#""priority":"urgent""#), "\(tail.lines)")
        #expect(result.contains("REQ-9"))

        running.signal(SIGTERM)
        #expect(await running.waitForExit() == 0, "\(running.errorLines.suffix(10))")
    }
}
