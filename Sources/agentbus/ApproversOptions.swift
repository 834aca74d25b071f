import AgentBus
import ArgumentParser
import Foundation

/// Where the approval commands find the approvers file: who holds which role, and each role's
/// limit. Configuration the operator owns; an approver only says who they are with `--by`.
struct ApproversOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The approvers file (roles and their limits, approvers and their roles). Default: $AGENTBUS_APPROVERS, then ./approvers.json.",
        valueName: "file"))
    var approvers: String?

    var path: String { ApproverDirectory.path(flag: approvers) }

    /// Whether the file was named (flag or environment) rather than assumed.
    private var isNamed: Bool {
        approvers?.isEmpty == false || ProcessInfo.processInfo.environment[ApproverDirectory.environmentVariable]?.isEmpty == false
    }

    /// The directory, or one line and exit code 1. When `required` is false, a missing
    /// `./approvers.json` that nothing named gives nil.
    func load(command: String, required: Bool = true) throws -> ApproverDirectory? {
        let path = path
        if !required, !isNamed, !FileManager.default.fileExists(atPath: path) { return nil }
        do {
            return try ApproverDirectory.load(path: path)
        } catch {
            Output.error("agentbus \(command): \(error)")
            throw ExitCode.failure
        }
    }
}
