import AgentBus
import ArgumentParser

struct SchemasLintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check that every schema loads and follows the catalog's conventions.",
        discussion: """
            Reports every problem on its own line as file: location: message: JSON errors, \
            keywords AgentBus does not implement, unresolved $refs, event schemas without $id, \
            topic, title, description or examples, examples that fail their schema, files not \
            named after their type. Warnings are advice: an event type outside the \
            <reverse-dns>.<name>.v<major> convention (fine for another producer's type), no \
            "additionalProperties": false. Exits 0 when clean (warnings allowed), 1 on any error.
            """
    )

    @OptionGroup var schemaOptions: SchemaOptions

    func run() async throws {
        let directory = schemaOptions.directory
        let report = SchemaLint.lint(directory: directory.path)
        for finding in report.findings { Output.line(finding.description) }
        let warnings = report.findings.count - report.errorCount
        let summary = "\(directory.path): \(report.documentCount) schema file(s), \(report.eventTypeCount) event type(s)"
        if report.errorCount > 0 {
            Output.error("\(summary): \(report.errorCount) error(s), \(warnings) warning(s)")
            throw ExitCode.failure
        }
        Output.error("\(summary): ok" + (warnings > 0 ? " (\(warnings) warning(s))" : ""))
    }
}
