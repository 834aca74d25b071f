import AgentBus
import AgentBusReplay
import JSONSchema

/// How `replay` prints findings: as `lint` results on stdout (with cause and fix), and as
/// warnings on stderr where another view is the output (problems with the input: malformed or
/// foreign records, a cut-off file, records retention may have dropped).
enum ReplayFindingPrinter {
    /// Warnings beyond this many are counted, not printed: a topic full of foreign records would
    /// otherwise bury the view. `replay lint` prints them all.
    static let warningLimit = 20

    /// `<kind> <correlation>/<event>: <message>`, or without the part that does not apply.
    static func headline(_ finding: ReplayFinding) -> String {
        let subject = [finding.correlationID, finding.eventID].compactMap { $0 }.joined(separator: "/")
        return subject.isEmpty
            ? "\(finding.kind.rawValue): \(finding.message.oneLine)"
            : "\(finding.kind.rawValue) \(subject.oneLine): \(finding.message.oneLine)"
    }

    /// The headline, then `cause:` and `fix:` indented beneath it.
    static func lintLines(_ finding: ReplayFinding) -> [String] {
        [headline(finding), "  cause: \(finding.cause.oneLine)", "  fix: \(finding.fix.oneLine)"]
    }

    /// One stderr line per finding, at most ``warningLimit`` of them.
    /// Warns about what matters to one workflow: its own unreadable records, and retention
    /// (which may explain missing causes). Other workflows' problems are `replay lint`'s to list.
    static func printWarnings(_ findings: [ReplayFinding], about correlationID: String, command: String) {
        printWarnings(findings.filter { $0.correlationID == correlationID || $0.kind == .retention }, command: command)
    }

    /// Warns about retention in full, and counts the rest of the input's problems in one line.
    static func printOverviewWarnings(_ findings: [ReplayFinding], command: String) {
        let retention = findings.filter { $0.kind == .retention }
        printWarnings(retention, command: command)
        let others = findings.count - retention.count
        if others > 0 {
            Output.error(
                "agentbus \(command): warning: \(others) record(s) could not be placed in a workflow or read; `agentbus replay lint` lists them")
        }
    }

    static func printWarnings(_ findings: [ReplayFinding], command: String) {
        for finding in findings.prefix(warningLimit) { Output.error("agentbus \(command): warning: \(headline(finding))") }
        if findings.count > warningLimit {
            Output.error(
                "agentbus \(command): warning: \(findings.count - warningLimit) more problem(s) with the input; `agentbus replay lint` lists them all")
        }
    }

    /// "3 findings in 12 workflows (2 orphan, 1 stalled)".
    static func summary(_ findings: [ReplayFinding], workflows: Int) -> String {
        let workflowsText = workflows == 1 ? "1 workflow" : "\(workflows) workflows"
        guard !findings.isEmpty else { return "no findings in \(workflowsText)" }
        var counts: [ReplayFinding.Kind: Int] = [:]
        for finding in findings { counts[finding.kind, default: 0] += 1 }
        let kinds = ReplayFinding.Kind.allCases.compactMap { kind in counts[kind].map { "\($0) \(kind.rawValue)" } }
        let findingsText = findings.count == 1 ? "1 finding" : "\(findings.count) findings"
        return "\(findingsText) in \(workflowsText) (\(kinds.joined(separator: ", ")))"
    }
}
