import AgentBus
import AgentBusReplay
import ArgumentParser
import JSONSchema

struct ReplayListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the workflows in the log: root type, start, duration, events, model cost and status.",
        discussion: """
            One line per workflow (correlation ID), oldest first. Status: completed (nothing \
            waits, nothing failed), failed (an event was dead-lettered and not redriven \
            successfully), stalled (an event still waits for a consumer or a retry and nothing \
            happened for --stall-after), running (still waiting, but it moved recently). \
            COST (shown when some workflow called a model) is what its model calls cost, each \
            counted once (`agentbus costs` explains the rule). \
            --failed keeps the failed and stalled ones; --slowest N the N longest, longest first. \
            --json prints one object per workflow with every field.

            Examples:
              agentbus replay ls --since 1h --failed
              agentbus replay ls --slowest 5
              agentbus replay ls --from-file incident.jsonl --json
            """
    )

    @OptionGroup var source: ReplaySourceOptions

    @Flag(name: .long, help: "Only failed and stalled workflows.")
    var failed = false

    @Option(name: .long, help: ArgumentHelp("Only the N longest workflows, longest first.", valueName: "n"))
    var slowest: Int?

    @Flag(name: .long, help: "Print one JSON object per workflow.")
    var json = false

    func run() async throws {
        let command = "replay ls"
        if let slowest, slowest < 1 {
            Output.error("agentbus \(command): --slowest takes a whole number of at least 1")
            throw ExitCode.failure
        }
        let options = try source.replayOptions(command: command)
        let log = try await source.load(command: command)
        ReplayFindingPrinter.printOverviewWarnings(log.inputFindings, command: command)

        let all = log.summaries(options: options)
        var shown = failed ? all.filter { $0.status == .failed || $0.status == .stalled } : all
        if let slowest {
            shown = Array(shown.sorted { ($0.duration, $1.startedAt) > ($1.duration, $0.startedAt) }.prefix(slowest))
        } else {
            shown.sort { ($0.startedAt, $0.correlationID) < ($1.startedAt, $1.correlationID) }
        }

        if json {
            for summary in shown { Output.line(Self.json(summary)) }
        } else if shown.isEmpty {
            Output.line(
                all.isEmpty
                    ? "no workflows among the \(log.recordCount) record(s) read from \(log.metadata.source)"
                    : "no failed or stalled workflows among \(all.count)")
        } else {
            for line in Self.table(shown) { Output.line(line) }
        }
        if !json && shown.count < all.count && !shown.isEmpty {
            Output.error("agentbus \(command): showed \(shown.count) of \(all.count) workflow(s)")
        }
    }

    /// The table, with a COST column (what the workflow's model calls cost) when any of them
    /// called a model.
    static func table(_ summaries: [ReplayWorkflowSummary]) -> [String] {
        let withCost = summaries.contains { !$0.modelTotals.isEmpty }
        let header = ["CORRELATION ID", "ROOT TYPE", "STARTED", "DURATION", "EVENTS"] + (withCost ? ["COST"] : []) + ["STATUS"]
        let rows = summaries.map { summary in
            [
                summary.correlationID.oneLine, summary.rootType.oneLine,
                EventTime(millisecondsSinceEpoch: summary.startedAt).description, ReplayDuration.format(summary.duration),
                String(summary.eventCount),
            ] + (withCost ? [ModelCallText.cost(summary.modelTotals.cost)] : []) + [summary.status.rawValue]
        }
        let rightAligned: Set<Int> = withCost ? [3, 4, 5] : [3, 4]
        var widths = header.map(\.count)
        for row in rows { for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) } }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if rightAligned.contains(column) { return padding + cell }
                return column == row.count - 1 ? cell : cell + padding
            }.joined(separator: "  ")
        }
    }

    static func json(_ summary: ReplayWorkflowSummary) -> String {
        JSONValue.object(JSONObject([
            "correlationId": .string(summary.correlationID), "rootType": .string(summary.rootType),
            "startedAt": .string(EventTime(millisecondsSinceEpoch: summary.startedAt).description),
            "startedAtMs": .number(JSONNumber(Int(summary.startedAt))),
            "endedAtMs": .number(JSONNumber(Int(summary.endedAt))),
            "durationMs": .number(JSONNumber(Int(summary.duration))), "events": .number(JSONNumber(summary.eventCount)),
            "deadLetters": .number(JSONNumber(summary.deadLetterCount)), "status": .string(summary.status.rawValue),
            "modelCalls": .number(JSONNumber(summary.modelTotals.calls)),
            "inputTokens": .number(JSONNumber(summary.modelTotals.inputTokens)),
            "outputTokens": .number(JSONNumber(summary.modelTotals.outputTokens)),
            "cost": .cost(summary.modelTotals.cost),
        ])).jsonText
    }
}
