import TestSupport

/// Runs `agentbus` to completion and collects what it printed.
enum CLIRun {
    /// `arguments`, pointed at `broker` through its bootstrap file (as a user's commands find a
    /// running dev-broker).
    static func agentbus(_ arguments: [String], _ broker: DevBrokerProcess) async throws -> PublishTailTests.Finished {
        try await agentbus(arguments + ["--bootstrap-file", broker.bootstrapFile])
    }

    static func agentbus(_ arguments: [String]) async throws -> PublishTailTests.Finished {
        let process = try ChildProcess(arguments, capturingStandardError: true)
        let status = await process.waitForExit()
        return PublishTailTests.Finished(status: status, output: process.lines, errors: process.errorLines)
    }
}
