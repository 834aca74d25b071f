import AgentBus
import AgentBusReplay
import ArgumentParser
import Foundation
import Kafka

/// Where every `replay` command gets its log (Kafka, within --since/--until, or a saved file)
/// and the judgement calls it makes about workflows.
///
/// Values are parsed in `run()`, not by ArgumentParser, so a bad one is one line on stderr (as
/// every AgentBus error is) rather than an error followed by the usage text; and all of them are
/// checked before anything connects to Kafka.
struct ReplaySourceOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(name: .customLong("from-file"), help: ArgumentHelp(
        "Replay a log saved with --save instead of reading Kafka.", valueName: "file"))
    var fromFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "Read from this point: an RFC 3339 time (2026-11-21T04:00:00Z), an age before now (30s, 15m, 2h, 1d), @OFFSET (every partition) or TOPIC:PARTITION@OFFSET, comma-separated. Default: the oldest record kept.",
        valueName: "when"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp(
        "Stop before this point (same forms as --since; an offset is exclusive). Default: the end when the read starts.",
        valueName: "when"))
    var until: String?

    @Option(name: .customLong("stall-after"), help: ArgumentHelp(
        "A workflow with events still waiting is stalled after this long without activity (500ms, 30s, 5m, 1h).",
        valueName: "duration"))
    var stallAfter = "60s"

    @Option(name: .long, help: ArgumentHelp(
        "How far an event may be timed before its cause (clock skew between producers) before lint reports it.",
        valueName: "duration"))
    var skew = "1s"

    @Option(name: .long, help: ArgumentHelp("Seconds the read from Kafka may take.", valueName: "seconds"))
    var timeout = 300

    /// The analysis options, or one line on stderr and exit 1.
    func replayOptions(command: String) throws -> ReplayOptions {
        func duration(_ text: String, _ flag: String) throws -> Int64 {
            guard let milliseconds = ReplayDurationText.milliseconds(text) else {
                Output.error("agentbus \(command): \(flag) \"\(text)\" is not a duration; expected e.g. 500ms, 30s, 5m, 1h, 1d")
                throw ExitCode.failure
            }
            return milliseconds
        }
        let options = ReplayOptions(stallAfter: try duration(stallAfter, "--stall-after"), skewTolerance: try duration(skew, "--skew"))
        if timeout < 1 {
            Output.error("agentbus \(command): --timeout takes a whole number of seconds, at least 1")
            throw ExitCode.failure
        }
        if fromFile != nil && (since != nil || until != nil) {
            Output.error(
                "agentbus \(command): --since and --until choose what is read from Kafka; a log given with --from-file is replayed whole")
            throw ExitCode.failure
        }
        _ = try bounds(command: command)
        return options
    }

    /// --since and --until, parsed; ages count back from now.
    private func bounds(command: String) throws -> (since: ReplayBound?, until: ReplayBound?) {
        func parse(_ text: String?, _ flag: String) throws -> ReplayBound? {
            guard let text else { return nil }
            do {
                return try ReplayBound(parsing: text)
            } catch {
                Output.error("agentbus \(command): \(flag): \(error.message)")
                throw ExitCode.failure
            }
        }
        return (try parse(since, "--since"), try parse(until, "--until"))
    }

    /// Reads the log, printing progress on stderr for long reads; failures are one line on
    /// stderr and exit 1. Call ``replayOptions(command:)`` first: it checks every value.
    ///
    /// - Parameter journals: the effect-journal records to read from Kafka (a saved log has
    ///   those it was saved with).
    func load(command: String, journals: ReplayJournalSelection = .none) async throws -> ReplayLog {
        let display = ReplayProgressDisplay(command: "agentbus \(command)")
        defer { display.finish() }
        if let fromFile {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: fromFile, isDirectory: &isDirectory) else {
                Output.error("agentbus \(command): cannot read \(fromFile): no such file")
                throw ExitCode.failure
            }
            guard !isDirectory.boolValue else {
                Output.error("agentbus \(command): cannot read \(fromFile): it is a directory, not a saved log")
                throw ExitCode.failure
            }
            guard FileManager.default.isReadableFile(atPath: fromFile) else {
                Output.error("agentbus \(command): cannot read \(fromFile): permission denied")
                throw ExitCode.failure
            }
            do {
                return try ReplayLog.load(path: fromFile) { read, total in display.bytes(read: read, total: total) }
            } catch {
                display.finish()
                Output.error("agentbus \(command): \(error.message)")
                throw ExitCode.failure
            }
        }

        let (since, until) = try bounds(command: command)
        let reader = ReplayReader(
            snapshotReader: try connection.snapshotReader(
                logger: ConnectionOptions.quietLogger("agentbus.replay"), timeout: .seconds(timeout)),
            embeddedCluster: connection.endpoint.isEmbeddedCluster)
        do {
            let (records, metadata) = try await reader.read(since: since, until: until, journals: journals) { read, left in
                display.records(read: read, partitionsLeft: left)
            }
            return ReplayLog(records: records, metadata: metadata)
        } catch {
            display.finish()
            let bound = error.code == .unknownTopicOrPartition ? "--since/--until: " : ""
            Output.error("agentbus \(command): \(bound)\(error.message)")
            throw ExitCode.failure
        }
    }
}
