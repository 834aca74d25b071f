import Foundation
import TestSupport
import Testing

/// `agentbus schemas lint|check|list` as CI runs them: output lines and exit codes.
@Suite("schemas lint, check and list")
struct SchemasCommandTests {
    static let schemas = PublishTailTests.schemas

    func run(_ arguments: [String]) async throws -> PublishTailTests.Finished {
        let process = try ChildProcess(arguments, capturingStandardError: true)
        let status = await process.waitForExit()
        return .init(status: status, output: process.lines, errors: process.errorLines)
    }

    /// A copy of the repository's catalog to break on purpose.
    func copyOfCatalog() throws -> URL {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-schemas-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: Self.schemas, toPath: copy.path)
        return copy
    }

    func edit(_ directory: URL, _ file: String, _ change: (String) -> String) throws {
        let url = directory.appendingPathComponent(file)
        try change(String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
    }

    @Test("the repository's catalog lints clean and lists its seventeen types")
    func cleanCatalog() async throws {
        let lint = try await run(["schemas", "lint", "--schemas", Self.schemas])
        #expect(lint.status == 0, "\(lint.output)")
        #expect(lint.output.isEmpty)
        #expect(lint.errors.last?.hasSuffix("18 schema file(s), 17 event type(s): ok") == true, "\(lint.errors)")

        let list = try await run(["schemas", "list", "--schemas", Self.schemas])
        #expect(list.status == 0)
        #expect(list.output.count == 17)
        #expect(list.output.contains { $0.hasPrefix("dev.agentbus.loan.fraud.checked.v1") && $0.hasSuffix("topic loan.checks  key applicantId") })
    }

    @Test("lint exits 1 and names file, place and problem, one per line")
    func brokenCatalog() async throws {
        let directory = try copyOfCatalog()
        defer { try? FileManager.default.removeItem(at: directory) }
        try edit(directory, "dev.agentbus.loan.risk.scored.v1.json") {
            $0.replacingOccurrences(of: "\"additionalProperties\": false", with: "\"unevaluatedProperties\": false")
        }
        try edit(directory, "dev.agentbus.loan.credit.checked.v1.json") {
            $0.replacingOccurrences(of: "\"minimum\": 300", with: "\"minimum\": \"300\"")
        }
        let lint = try await run(["schemas", "lint", "--schemas", directory.path])
        #expect(lint.status == 1)
        #expect(lint.output.contains {
            $0.contains("dev.agentbus.loan.risk.scored.v1.json: /unevaluatedProperties: keyword \"unevaluatedProperties\" is not supported")
        }, "\(lint.output)")
        #expect(lint.output.contains {
            $0.contains("dev.agentbus.loan.credit.checked.v1.json: /properties/score/minimum: must be a number")
        }, "\(lint.output)")
    }

    @Test("check: 0 without changes, 1 with a breaking one, 2 when a side does not load")
    func check() async throws {
        let same = try await run(["schemas", "check", Self.schemas, Self.schemas])
        #expect(same.status == 0)
        #expect(same.errors == ["no changes"])

        let directory = try copyOfCatalog()
        defer { try? FileManager.default.removeItem(at: directory) }
        try edit(directory, "dev.agentbus.loan.credit.checked.v1.json") {
            $0.replacingOccurrences(of: "\"maximum\": 850", with: "\"maximum\": 800")
        }
        let breaking = try await run(["schemas", "check", Self.schemas, directory.path])
        #expect(breaking.status == 1)
        #expect(breaking.output.contains { $0.hasPrefix("BREAKING dev.agentbus.loan.credit.checked.v1 /score: ") && $0.contains("850") },
            "\(breaking.output)")

        let missing = try await run(["schemas", "check", Self.schemas, directory.appendingPathComponent("nowhere").path])
        #expect(missing.status == 2)
        #expect(missing.errors.first?.contains("no such schema directory") == true)
    }
}
