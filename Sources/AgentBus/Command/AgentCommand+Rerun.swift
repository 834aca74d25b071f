import ArgumentParser
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AgentCommand {
    /// `--rerun FILE`: reads a ``RecordedWorkflow`` (JSON Lines; `-` is standard input), reruns
    /// it with ``WorkflowRerunner`` and writes the ``RerunOutcome``s as JSON Lines to standard
    /// output. Nothing connects to Kafka, and the long-lived services `makeAgent` added are not
    /// started: effects and model calls come from the recording.
    ///
    /// Standard output carries only the outcomes: while the handlers run, whatever else writes
    /// to it (a handler's `print`) goes to standard error instead.
    ///
    /// Exit status: 0 when every event was rerun (an event whose handler failed is an outcome,
    /// not a failure), 2 for a recording that does not read, is of another agent, or a catalog
    /// that does not load.
    func rerun(
        _ agent: AgentType, recording path: String, configuration: AgentRuntimeConfiguration, logger: Logger
    ) async throws {
        func failure(_ message: String) -> ExitCode {
            AgentFailure.report("\(agent.name) --rerun: \(message)", status: ExitCode(2))
        }
        let bytes: [UInt8]
        if path == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: path) else { throw failure("cannot read \(path)") }
            bytes = Array(data)
        }
        let recording: RecordedWorkflow
        let runner: WorkflowRerunner
        do {
            recording = try RecordedWorkflow(jsonLines: bytes, source: path == "-" ? "standard input" : path)
            runner = try WorkflowRerunner(agent: agent, registry: try configuration.schemas.load(), logger: logger)
        } catch {
            throw failure("\(error)")
        }

        // Outcomes go to the real standard output; file descriptor 1 points at stderr meanwhile.
        fflush(nil)
        let output = dup(1)
        guard output >= 0, dup2(2, 1) >= 0 else { throw failure("cannot set standard output aside: \(String(cString: strerror(errno)))") }
        let outcomes: [RerunOutcome]
        do {
            outcomes = try await runner.run(recording)
        } catch {
            throw failure(error.message)
        }
        fflush(nil)
        let lines = RerunOutcome.jsonLines(outcomes, agent: recording.agent, correlationID: recording.correlationID)
        let written = lines.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(output, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        close(output)
        if !written { throw failure("cannot write the outcomes: \(String(cString: strerror(errno)))") }
    }
}
