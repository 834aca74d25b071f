import AgentBus
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An agent's executable run with `--rerun -`: the recording goes to its standard input as JSON
/// Lines, the outcomes come back on its standard output, and its log (standard error) passes
/// through to ours. It connects to nothing: effects and model answers come from the recording.
struct AgentRerunProcess {
    let executable: String
    /// Given after `--rerun -`: the agent's own options.
    let arguments: [String]

    struct Failure: Error {
        let message: String
    }

    /// Runs the executable on `recording` and reads its outcomes.
    ///
    /// Its log level is `$AGENTBUS_LOG_LEVEL` when set, else `warning`, so the diff is not buried
    /// under its info lines (a `--log-level` among ``arguments`` wins over both).
    func run(_ recording: RecordedWorkflow) async throws(Failure) -> [RerunOutcome] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--rerun", "-"] + arguments
        var environment = ProcessInfo.processInfo.environment
        if (environment["AGENTBUS_LOG_LEVEL"] ?? "").isEmpty { environment["AGENTBUS_LOG_LEVEL"] = "warning" }
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        // An executable that exits without reading its input must not take agentbus down.
        signal(SIGPIPE, SIG_IGN)
        do { try process.run() } catch {
            throw Failure(message: "cannot start \(executable): \(error.localizedDescription)")
        }
        let lines = recording.jsonLines
        // Feeding and reading on threads of their own: neither pipe may fill while the other waits.
        let written: Data = await withCheckedContinuation { continuation in
            let writer = Thread {
                let handle = input.fileHandleForWriting
                try? handle.write(contentsOf: Data(lines))
                try? handle.close()
            }
            writer.start()
            let reader = Thread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
            reader.start()
        }
        guard process.terminationReason == .exit else {
            throw Failure(message: "\(executable) was killed by signal \(process.terminationStatus)")
        }
        guard process.terminationStatus == 0 else {
            throw Failure(
                message: "\(executable) --rerun exited with status \(process.terminationStatus) (its messages are above)")
        }
        do {
            return try RerunOutcome.read(jsonLines: Array(written), source: "the output of \(executable) --rerun")
        } catch {
            throw Failure(message: error.message)
        }
    }
}
