import AgentBus
import ArgumentParser

struct SchemasCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report breaking changes between two versions of the schema directory.",
        discussion: """
            Breaking: a removed event type, property or enum value; a newly required property \
            without a default; a narrowed type; tightened bounds, patterns or formats; a changed \
            topic or key. Compatible changes are listed too. Exits 0 when nothing breaks, 1 when \
            something does, 2 when a directory does not load. For CI:
              git worktree add /tmp/base origin/main && agentbus schemas check /tmp/base/schemas schemas
            """
    )

    @Argument(help: "The schema directory as it was (e.g. from the main branch).")
    var old: String

    @Argument(help: "The schema directory as it is now.")
    var new: String

    func run() async throws {
        let before = try load(old)
        let after = try load(new)
        let changes = SchemaCompatibility.compare(old: before, new: after)
        for change in changes { Output.line(change.description) }
        let breaking = changes.filter(\.isBreaking).count
        if breaking > 0 {
            Output.error("\(breaking) breaking change(s); publish a new major version of the type (.v2) instead")
            throw ExitCode.failure
        }
        Output.error(changes.isEmpty ? "no changes" : "no breaking changes (\(changes.count) compatible)")
    }

    private func load(_ directory: String) throws -> SchemaRegistry {
        do {
            return try SchemaRegistry.load(directory: directory)
        } catch {
            for problem in error.problems { Output.error("agentbus schemas check: \(problem)") }
            throw ExitCode(2)
        }
    }
}
