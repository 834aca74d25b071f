import ArgumentParser
import Foundation
import JSONSchema

/// A failure of an agent executable: the one line a person reads (on stderr, line breaks and
/// control characters escaped so it stays one line), then the status ArgumentParser exits with, since library code never calls
/// `exit()`.
enum AgentFailure {
    static func report(_ message: String, status: ExitCode) -> ExitCode {
        let line = message.oneLine + "\n"
        FileHandle.standardError.write(Data(line.utf8))
        return status
    }
}
