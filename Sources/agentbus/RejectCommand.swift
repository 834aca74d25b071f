import AgentBus
import ArgumentParser
import JSONSchema

struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject an approval request, with a reason.",
        discussion: """
            Looks the request up in its approval topic and publishes <prefix>.approval.rejected.v<N> \
            as a child of it (same correlation ID, caused by it, one hop deeper), with the reason, \
            the approver's ID, name and role from the approvers file and where it was decided \
            from (host and user). Prints the decision's event ID. Refuses as `agentbus approve` \
            does: an unknown or already decided request, an approver not in the file or whose \
            role does not cover the amount.

            Example: agentbus reject 5f0c7a52-93d1-4b6e-8f2a-1d4c6b8e0a37 --by priya --reason "income not verified" --code insufficient-income
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var schemaOptions: SchemaOptions
    @OptionGroup var approversOptions: ApproversOptions

    @Argument(help: "The request's event ID (ce_id), as `agentbus approvals list` shows it.")
    var id: String

    @Option(name: .long, help: ArgumentHelp("Who decides: an approver's name in the approvers file.", valueName: "name"))
    var by: String

    @Option(name: .long, help: ArgumentHelp("Why it is rejected, recorded as the decision's comment.", valueName: "text"))
    var reason: String

    @Option(name: .long, help: ArgumentHelp(
        "A reason code, recorded as reasonCode when the rejection's schema has one (e.g. excessive-risk).", valueName: "code"))
    var code: String?

    func validate() throws {
        if reason.isEmpty { throw ValidationError("--reason takes a non-empty text") }
    }

    func run() async throws {
        try await ApprovalDecisionSender(
            command: "reject", outcome: .rejected, requestID: id, approverName: by, comment: reason,
            extra: code.map { ["reasonCode": JSONValue.string($0)] } ?? [:],
            connection: connection, schemaOptions: schemaOptions, approversOptions: approversOptions
        ).run()
    }
}
