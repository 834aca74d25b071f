import AgentBus
import AgentBusReplay
import ArgumentParser
import Foundation
import JSONSchema

struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "Show the running agent instances from their heartbeats.",
        discussion: """
            Reads agentbus.heartbeats from the beginning to its current end and keeps each \
            instance's latest heartbeat. An instance is live while it has not stopped and its \
            last heartbeat is at most three intervals old; --all also shows stopped instances and \
            stale ones (silent too long: crashed, or cut off). LAG is the records its consumer has \
            yet to read; HANDLED, FAILED and DEAD-LETTERED count since it started. \
            --capabilities shows, per capability of the agents' registry records, the agents that \
            offer it, their live instances, and their handlings over --window of agentbus.activity: \
            OK, FAILED (dead-lettered or rejected) and the success rate.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(name: .long, help: "Also show stopped and stale instances.")
    var all = false

    @Flag(name: .long, help: "Print one JSON object per instance (with --capabilities, per capability).")
    var json = false

    @Flag(name: .long, help: "Show the capabilities the agents offer, their live instances and success rates.")
    var capabilities = false

    @Option(name: .long, help: ArgumentHelp(
        "With --capabilities: how much of agentbus.activity the success rates cover, e.g. 15m, 1h, 2d. Default: 1h.",
        valueName: "age"))
    var window = "1h"

    func validate() throws {
        guard ReplayDurationText.milliseconds(window) != nil else {
            throw ValidationError("--window takes an age such as 15m, 1h or 2d, got \"\(window.oneLine)\"")
        }
    }

    func run() async throws {
        if capabilities { return try await showCapabilities() }
        let reader = try connection.snapshotReader(logger: ConnectionOptions.quietLogger("agentbus.agents"))
        let snapshot: TopicSnapshot
        do {
            snapshot = try await reader.read([AgentTopics.heartbeats])
        } catch {
            Output.error("agentbus agents: \(error.message)")
            throw ExitCode.failure
        }

        // The latest heartbeat of each instance. An instance's heartbeats share a key and so a
        // partition, and arrive in order; the time breaks ties across partitions (after the topic
        // gained partitions).
        var latest: [String: Heartbeat] = [:]
        var unreadable = 0
        for record in snapshot[AgentTopics.heartbeats] {
            guard let heartbeat = try? Heartbeat(json: record.value) else {
                unreadable += 1
                continue
            }
            if let known = latest[heartbeat.key], known.time > heartbeat.time { continue }
            latest[heartbeat.key] = heartbeat
        }
        if unreadable > 0 {
            Output.error("agentbus agents: skipped \(unreadable) record(s) of \(AgentTopics.heartbeats) that are not heartbeats")
        }

        let now = EventTime.now().millisecondsSinceEpoch
        let shown = latest.values.filter { all || $0.isLive(at: now) }
            .sorted { ($0.agent, $0.instance) < ($1.agent, $1.instance) }
        if json {
            for heartbeat in shown { Output.line(Self.json(heartbeat, now: now)) }
            return
        }
        guard !shown.isEmpty else {
            let missing = snapshot.exists(AgentTopics.heartbeats) ? "" : " (\(AgentTopics.heartbeats) does not exist yet)"
            Output.line((all ? "no agent instances" : "no live agent instances") + missing)
            return
        }
        let rows = [["AGENT", "INSTANCE", "STATUS", "LAG", "HANDLED", "FAILED", "DEAD-LETTERED", "IN-FLIGHT", "LAST SEEN"]]
            + shown.map { heartbeat in
                [
                    heartbeat.agent, heartbeat.instance, Self.status(heartbeat, now: now), String(heartbeat.lag),
                    String(heartbeat.handled), String(heartbeat.failed), String(heartbeat.deadLettered),
                    String(heartbeat.inFlight), Self.ago(now - heartbeat.time),
                ]
            }
        Self.printTable(rows, numeric: [3, 4, 5, 6, 7])
    }

    /// Prints `rows` (the first is the header) in columns: text left-aligned, the `numeric`
    /// columns right-aligned.
    static func printTable(_ rows: [[String]], numeric: Set<Int>) {
        for line in TextTable.lines(rows, numeric: numeric) { Output.line(line) }
    }

    /// The heartbeat's status while it is live; `stale` for an instance that went silent without
    /// saying it stopped.
    static func status(_ heartbeat: Heartbeat, now: Int64) -> String {
        heartbeat.status == .stopped || heartbeat.isLive(at: now) ? heartbeat.status.rawValue : "stale"
    }

    /// `2s ago`, `5m ago`, `3h ago`, `2d ago`.
    static func ago(_ milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        switch seconds {
        case ..<60: return "\(seconds)s ago"
        case ..<3600: return "\(seconds / 60)m ago"
        case ..<86_400: return "\(seconds / 3600)h ago"
        default: return "\(seconds / 86_400)d ago"
        }
    }

    static func json(_ heartbeat: Heartbeat, now: Int64) -> String {
        func number(_ value: some BinaryInteger) -> JSONValue { .number(JSONNumber(Int(value))) }
        return JSONValue.object(JSONObject([
            "agent": .string(heartbeat.agent), "instance": .string(heartbeat.instance),
            "status": .string(status(heartbeat, now: now)), "live": .bool(heartbeat.isLive(at: now)),
            "version": .string(heartbeat.version), "host": .string(heartbeat.host), "pid": number(heartbeat.pid),
            "startedAt": number(heartbeat.startedAt), "time": number(heartbeat.time),
            "lastSeenMs": number(max(0, now - heartbeat.time)), "lag": number(heartbeat.lag),
            "handled": number(heartbeat.handled), "failed": number(heartbeat.failed),
            "retried": number(heartbeat.retried), "deadLettered": number(heartbeat.deadLettered),
            "duplicates": number(heartbeat.duplicates), "inFlight": number(heartbeat.inFlight),
            "abandoned": number(heartbeat.abandoned), "partitions": .array(heartbeat.partitions.map(JSONValue.string)),
        ])).jsonText
    }
}
