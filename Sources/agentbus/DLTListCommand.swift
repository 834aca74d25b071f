import AgentBus
import ArgumentParser
import JSONSchema

struct DLTListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Count an agent's dead letters by failure class and reason, pending and redriven.",
        discussion: """
            Reads <agent>.dlt and every <agent>.retry.<delay> from the beginning to their current end. A missing \
            or empty dead-letter topic is not an error: it says so and exits 0.

            Example: agentbus dlt list loan-scorer
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The agent's name.")
    var agent: String

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    /// The dead letters of one failure class and reason.
    private struct Group {
        let failureClass: String
        let reason: String
        var pending = 0
        var redriven = 0
    }

    func run() async throws {
        let inbox = try await DeadLetterInboxLoader.load(agent: agent, connection: connection, command: "dlt list")
        var groups: [String: Group] = [:]
        for entry in inbox.entries {
            let failureClass = DeadLetterPrinter.failureClass(entry)
            let reason = (entry.deadLetter.reason ?? "-").oneLine
            let key = failureClass + "\n" + reason
            var group = groups[key] ?? Group(failureClass: failureClass, reason: reason)
            if entry.isRedriven { group.redriven += 1 } else { group.pending += 1 }
            groups[key] = group
        }
        let sorted = groups.values.sorted { ($0.failureClass, $0.reason) < ($1.failureClass, $1.reason) }
        let pending = inbox.pending.count
        let redriven = inbox.entries.count - pending

        if json {
            Output.line(JSONValue.object(JSONObject([
                "agent": .string(agent), "topic": .string(inbox.deadLetterTopic),
                "exists": .bool(inbox.deadLetterTopicExists), "total": .number(JSONNumber(inbox.entries.count)),
                "pending": .number(JSONNumber(pending)), "redriven": .number(JSONNumber(redriven)),
                "groups": .array(sorted.map { group in
                    .object(JSONObject([
                        "class": .string(group.failureClass), "reason": .string(group.reason),
                        "pending": .number(JSONNumber(group.pending)), "redriven": .number(JSONNumber(group.redriven)),
                    ]))
                }),
            ])).jsonText)
            return
        }
        guard !inbox.entries.isEmpty else {
            Output.line(DeadLetterInboxLoader.nothingThere(inbox))
            return
        }
        Output.line("\(inbox.deadLetterTopic): \(inbox.entries.count) dead letter(s), \(pending) pending, \(redriven) redriven")
        let classWidth = max(5, sorted.map(\.failureClass.count).max() ?? 0)
        func row(_ name: String, _ pending: String, _ redriven: String, _ reason: String) {
            let line = name.padding(toLength: classWidth, withPad: " ", startingAt: 0) + "  "
                + String(repeating: " ", count: max(0, 7 - pending.count)) + pending + "  "
                + String(repeating: " ", count: max(0, 8 - redriven.count)) + redriven + (reason.isEmpty ? "" : "  " + reason)
            Output.line(line)
        }
        row("CLASS", "PENDING", "REDRIVEN", "REASON")
        for group in sorted { row(group.failureClass, String(group.pending), String(group.redriven), group.reason) }
        row("TOTAL", String(pending), String(redriven), "")
    }
}
