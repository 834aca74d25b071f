import AgentBus
import ArgumentParser

struct ApprovalsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the approval requests waiting for a decision.",
        discussion: """
            Reads the topics of the catalog's approval types (*.approval.requested.v<N> and their \
            granted and rejected siblings) from the beginning to their current end, without \
            joining a consumer group. Prints each undecided request: its ID (what approve and \
            reject take), correlation ID, amount, the role that must decide it, deadline and age. \
            STATUS is pending, or escalated once the deadline has passed: then the role above \
            the one it needed must decide. With an approvers file (see `agentbus approvals \
            --help`) ROLE is worked out from it; without one, it is the role the request names.

            Example: agentbus approvals list --all
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var schemaOptions: SchemaOptions
    @OptionGroup var approversOptions: ApproversOptions

    @Flag(name: .long, help: "Also list decided requests, with who decided, when and from where.")
    var all = false

    func run() async throws {
        let command = "approvals list"
        let registry = try schemaOptions.load(command: command)
        let gates = try ApprovalLog.gates(in: registry, catalog: schemaOptions.directory.catalogDescription, command: command)
        let directory = try approversOptions.load(command: command, required: false)
        let log = try await ApprovalLog.read(gates: gates, registry: registry, connection: connection, command: command)
        let now = EventTime.now()

        var rows: [[String]] = []
        for request in log.book.requests {
            let status = log.book.status(of: request.id, at: now) ?? .pending
            let statusText: String
            switch status {
            case .pending: statusText = "pending"
            case .escalated: statusText = "escalated"
            case .superseded(let replacement):
                guard all else { continue }
                statusText = "escalated to \(replacement)"
            case .decided(let decision):
                guard all else { continue }
                statusText = decision.summary
            }
            rows.append([
                request.id.oneLine, request.correlationID.oneLine, request.amountText.oneLine,
                Self.roleNeeded(request, directory: directory, escalated: status == .escalated),
                request.deadline?.description ?? "-",
                request.requestedAt.map { AgentsCommand.ago(now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch) } ?? "-",
                statusText,
            ])
        }
        guard !rows.isEmpty else {
            let decided = log.book.decided.count
            Output.line(all || decided == 0
                ? "no approval requests in \(log.topics.joined(separator: ", "))"
                : "no pending approval requests (\(decided) decided; --all lists them)")
            return
        }
        let table = [["ID", "CORRELATION", "AMOUNT", "ROLE", "DEADLINE", "AGE", "STATUS"]] + rows
        let widths = (0..<table[0].count).map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            Output.line(cells.joined(separator: "  "))
        }
    }

    /// The role that must decide: from the directory when there is one, else the one the request
    /// names (`+1` when it has escalated, since only the directory knows the role above).
    static func roleNeeded(_ request: ApprovalRequest, directory: ApproverDirectory?, escalated: Bool) -> String {
        if let directory,
            let role = try? directory.roleNeeded(amount: request.amount, requestedRole: request.requestedRole, escalated: escalated)
        {
            return role.name.oneLine
        }
        let named = request.requestedRole?.oneLine ?? "-"
        return escalated ? "above \(named)" : named
    }
}
