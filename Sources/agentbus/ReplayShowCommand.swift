import AgentBus
import AgentBusReplay
import ArgumentParser
import JSONSchema

struct ReplayShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one workflow as a causal tree, a timeline, or an export for other tools.",
        discussion: """
            Formats: tree (each event with its status, publisher and time since its cause, and \
            what each consuming agent did with it, with its model calls' tokens and cost; then \
            the workflow's model total, each call counted once), timeline (per hop: queue wait \
            and processing time), json, dot (Graphviz), mermaid, chrome (Chrome/Perfetto trace JSON), otlp \
            (OTLP JSON, opens in Jaeger). --critical-path marks the chain of hops that decided \
            the workflow's duration (tree and timeline).

            --save FILE writes the workflow's records, its agents' effect-journal entries \
            included (every record read, without a correlation ID), as JSONL that --from-file \
            replays (and `replay rerun` reruns) to the same result, then prints the view as \
            usual (without a correlation ID, a one-line summary). Problems with the input \
            (records that are not events, a cut-off file, old records retention may have \
            dropped) are warnings on stderr; `agentbus replay lint` explains them.

            Examples:
              agentbus replay 0190f3a1-7c3e-7def-8abc-0123456789ab
              agentbus replay show 0190f3a1-... --format chrome > trace.json
              agentbus replay 0190f3a1-... --since 1h --save incident.jsonl
              agentbus replay --save everything.jsonl
            """
    )

    @OptionGroup var source: ReplaySourceOptions

    @Argument(help: "The workflow's correlation ID; `agentbus replay ls` lists them.")
    var correlationID: String?

    @Option(name: .customLong("format"), help: ArgumentHelp(
        "tree, timeline, json, dot, mermaid, chrome or otlp.", valueName: "format"))
    var formatName = ReplayFormat.tree.rawValue

    @Flag(name: .long, help: "Mark the critical path and list it (tree and timeline).")
    var criticalPath = false

    @Option(name: .long, help: ArgumentHelp(
        "Also save the records (of this workflow; without a correlation ID, all of them) as JSONL.", valueName: "file"))
    var save: String?

    func run() async throws {
        let command = "replay"
        guard let format = ReplayFormat(rawValue: formatName) else {
            Output.error("agentbus \(command): unknown --format \"\(formatName)\"; formats: \(ReplayFormat.names)")
            throw ExitCode.failure
        }
        if criticalPath && !format.showsCriticalPath {
            Output.error("agentbus \(command): --critical-path goes with --format tree or timeline, not \(format.rawValue)")
            throw ExitCode.failure
        }
        if correlationID == nil && save == nil {
            Output.error(
                "agentbus \(command): give a correlation ID (`agentbus replay ls` lists the workflows), or --save FILE to save the whole log")
            throw ExitCode.failure
        }
        let options = try source.replayOptions(command: command)
        // A saved log keeps the effect journals too, so it can be rerun (`replay rerun`).
        let journals: ReplayJournalSelection = save == nil ? .none : correlationID.map { .workflow($0) } ?? .all
        let log = try await source.load(command: command, journals: journals)
        guard let correlationID else {
            ReplayFindingPrinter.printOverviewWarnings(log.inputFindings, command: command)
            try write(log, correlationID: nil, command: command)
            let workflows = log.summaries(options: options).count
            Output.line("saved \(log.recordCount) record(s) of \(workflows) workflow(s) from \(log.metadata.source) to \(save!)")
            return
        }
        guard let workflow = log.workflow(correlationID, options: options) else {
            Output.error("agentbus \(command): \(Self.notFound(correlationID, in: log))")
            throw ExitCode.failure
        }
        ReplayFindingPrinter.printWarnings(log.inputFindings, about: correlationID, command: command)
        if save != nil { try write(log, correlationID: correlationID, command: command) }
        Output.line(Self.trimmingFinalNewline(format.render(workflow, criticalPath: criticalPath)))
    }

    private func write(_ log: ReplayLog, correlationID: String?, command: String) throws {
        do {
            try log.write(to: save!, correlationID: correlationID)
        } catch {
            Output.error("agentbus \(command): cannot save to \(save!): \(error.message)")
            throw ExitCode.failure
        }
    }

    /// Why `correlationID` shows nothing, and what to run instead: the workflow it belongs to
    /// when it is an event's ID (the commonest mix-up), else where the list is.
    static func notFound(_ correlationID: String, in log: ReplayLog) -> String {
        let shown = correlationID.oneLine
        if let workflow = log.correlationID(ofEvent: correlationID), workflow != correlationID {
            return "\(shown) is an event of workflow \(workflow.oneLine); run `agentbus replay \(workflow.oneLine)`"
        }
        let metadata = log.metadata
        let bounded = metadata.since != nil || metadata.until != nil ? " (it may lie outside --since/--until)" : ""
        return "no workflow \(shown) among the \(log.recordCount) record(s) read from \(metadata.source)\(bounded); `agentbus replay ls` lists the workflows"
    }

    static func trimmingFinalNewline(_ text: String) -> String {
        text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
