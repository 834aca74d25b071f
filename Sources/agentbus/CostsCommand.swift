import AgentBus
import AgentBusReplay
import ArgumentParser
import JSONSchema
import Kafka

struct CostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "costs",
        abstract: "What the agents' model calls used and cost, by agent, model or workflow.",
        discussion: """
            Reads agentbus.activity from --since to its end, as replay reads (assign() with a \
            throwaway group ID, never committing), and adds up the model calls the activity \
            records list (context.chat): CALLS, INPUT and OUTPUT TOKENS, COST (from each agent's \
            model prices, in their unit) and REPLAYED, the answers a retry or a redelivery got \
            from the agent's effect journal without calling the model again. A journaled call \
            counts once however many handlings list it (event, agent and effect name identify \
            it); a call made with journaling off counts every time it is listed. Rows are sorted \
            by cost, most expensive first; the last is the total. --by workflow keys by \
            correlation ID (`agentbus replay ID` shows the calls hop by hop); --by model by the \
            model the agent asked for.

            Examples:
              agentbus costs
              agentbus costs --since 1h --by model
              agentbus costs --since 2026-11-21T00:00:00Z --by workflow --format json
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp(
        "Read from this point: an age before now (30m, 2h, 7d) or an RFC 3339 time (2026-11-21T04:00:00Z).",
        valueName: "when"))
    var since = "24h"

    @Option(name: .customLong("by"), help: ArgumentHelp("agent, model or workflow.", valueName: "key"))
    var groupingName = ModelCallGrouping.agent.rawValue

    @Option(name: .customLong("format"), help: ArgumentHelp("table or json.", valueName: "format"))
    var formatName = "table"

    @Option(name: .long, help: ArgumentHelp("Seconds the read from Kafka may take.", valueName: "seconds"))
    var timeout = 60

    func run() async throws {
        let command = "costs"
        // Every value is checked before anything connects: a typo never waits for a broker.
        guard let grouping = ModelCallGrouping(rawValue: groupingName) else {
            Output.error(
                "agentbus \(command): unknown --by \"\(groupingName.oneLine)\"; one of \(ModelCallGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode.failure
        }
        guard formatName == "table" || formatName == "json" else {
            Output.error("agentbus \(command): unknown --format \"\(formatName.oneLine)\"; formats: table, json")
            throw ExitCode.failure
        }
        let start: ReplayBound
        do {
            start = try ReplayBound(parsing: since)
        } catch {
            Output.error("agentbus \(command): --since: \(error.message)")
            throw ExitCode.failure
        }
        if timeout < 1 {
            Output.error("agentbus \(command): --timeout takes a whole number of seconds, at least 1")
            throw ExitCode.failure
        }

        let reader = ReplayReader(
            snapshotReader: try connection.snapshotReader(
                logger: ConnectionOptions.quietLogger("agentbus.costs"), timeout: .seconds(timeout)),
            embeddedCluster: connection.endpoint.isEmbeddedCluster)
        let log: ReplayLog
        do {
            let (records, metadata) = try await reader.read([AgentTopics.activity], since: start)
            log = ReplayLog(records: records, metadata: metadata)
        } catch {
            let bound = error.code == .unknownTopicOrPartition ? "--since: " : ""
            Output.error("agentbus \(command): \(bound)\(error.message)")
            throw ExitCode.failure
        }
        let findings = log.inputFindings
        ReplayFindingPrinter.printWarnings(findings.filter { $0.kind == .retention }, command: command)
        let unreadable = findings.filter { $0.kind != .retention }.count
        if unreadable > 0 {
            Output.error(
                "agentbus \(command): warning: \(unreadable) record(s) of \(AgentTopics.activity) could not be read and are not counted; `agentbus replay lint` lists them")
        }

        let tally = log.modelCallTally(by: grouping)
        if formatName == "json" {
            Output.line(Self.json(tally, since: since).jsonText)
        } else if tally.total.isEmpty {
            Output.line("no model calls in \(AgentTopics.activity) since \(since.oneLine) (\(log.recordCount) activity record(s) read)")
        } else {
            for line in Self.table(tally) { Output.line(line) }
        }
    }

    /// The rows, a header naming the key, and a total row; figures right-aligned.
    static func table(_ tally: ModelCallTally) -> [String] {
        func cells(_ key: String, _ usage: ModelCallTotals) -> [String] {
            [
                key.isEmpty ? "-" : key, String(usage.calls), String(usage.inputTokens), String(usage.outputTokens),
                ModelCallText.cost(usage.cost), String(usage.replayed),
            ]
        }
        let header = [tally.grouping.rawValue.uppercased(), "CALLS", "INPUT TOKENS", "OUTPUT TOKENS", "COST", "REPLAYED"]
        let rows = [header] + tally.rows.map { cells($0.key, $0.usage) } + [cells("total", tally.total)]
        return TextTable.lines(rows, numeric: [1, 2, 3, 4, 5])
    }

    /// `{"since":…,"by":…,"rows":[{"key":…,"calls":…,…}],"total":{…}}`, costs unrounded but for
    /// float noise.
    static func json(_ tally: ModelCallTally, since: String) -> JSONValue {
        func figures(_ usage: ModelCallTotals) -> [JSONObject.Member] {
            [
                .init(key: "calls", value: .number(JSONNumber(usage.calls))),
                .init(key: "inputTokens", value: .number(JSONNumber(usage.inputTokens))),
                .init(key: "outputTokens", value: .number(JSONNumber(usage.outputTokens))),
                .init(key: "cost", value: .cost(usage.cost)),
                .init(key: "replayed", value: .number(JSONNumber(usage.replayed))),
            ]
        }
        let rows = tally.rows.map { row in
            JSONValue.object(JSONObject(members: [.init(key: "key", value: .string(row.key))] + figures(row.usage)))
        }
        return .object(JSONObject([
            "since": .string(since), "by": .string(tally.grouping.rawValue), "rows": .array(rows),
            "total": .object(JSONObject(members: figures(tally.total))),
        ]))
    }
}
