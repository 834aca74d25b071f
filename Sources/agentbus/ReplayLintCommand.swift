import AgentBus
import ArgumentParser

struct ReplayLintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check workflows for broken causality, failures and stalls; exit 1 on any finding.",
        discussion: """
            Finds orphans (the cause is missing), several roots, duplicate event IDs, causation \
            cycles, correlation breaks (the cause is in another workflow), effects timed before \
            their cause by more than --skew, dead-lettered events, and stalled workflows; and \
            problems with the input: records that are not events or are cut short, and old \
            records retention may have dropped (the embedded cluster keeps 5 MiB per partition). \
            Each finding is one line, `<kind> <correlation>/<event>: <message>`, with indented \
            `cause:` and `fix:` lines. Exits 1 when there is any finding, 0 when there is none.

            Examples:
              agentbus replay lint
              agentbus replay lint 0190f3a1-7c3e-7def-8abc-0123456789ab --skew 250ms
              agentbus replay lint --from-file incident.jsonl
            """
    )

    @OptionGroup var source: ReplaySourceOptions

    @Argument(help: "Check only this workflow. Default: every workflow in the log.")
    var correlationID: String?

    func run() async throws {
        let command = "replay lint"
        let options = try source.replayOptions(command: command)
        let log = try await source.load(command: command)
        let workflows: Int
        if let correlationID {
            guard log.workflow(correlationID, options: options) != nil else {
                Output.error("agentbus \(command): \(ReplayShowCommand.notFound(correlationID, in: log))")
                throw ExitCode.failure
            }
            workflows = 1
        } else {
            workflows = log.summaries(options: options).count
        }
        let findings = log.lint(correlationID, options: options)
        for finding in findings {
            for line in ReplayFindingPrinter.lintLines(finding) { Output.line(line) }
        }
        Output.line(ReplayFindingPrinter.summary(findings, workflows: workflows))
        if !findings.isEmpty { throw ExitCode.failure }
    }
}
