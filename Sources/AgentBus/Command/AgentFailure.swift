import ArgumentParser
import Foundation

/// A failure of an agent executable: the one line a person reads (on stderr, newlines folded so
/// it stays one line), then the status ArgumentParser exits with, since library code never calls
/// `exit()`.
enum AgentFailure {
    static func report(_ message: String, status: ExitCode) -> ExitCode {
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ") + "\n"
        FileHandle.standardError.write(Data(line.utf8))
        return status
    }
}
