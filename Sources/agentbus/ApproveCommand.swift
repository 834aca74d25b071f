import AgentBus
import ArgumentParser

struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Grant an approval request.",
        discussion: """
            Looks the request up in its approval topic and publishes <prefix>.approval.granted.v<N> \
            as a child of it (same correlation ID, caused by it, one hop deeper), with the \
            approver's ID, name and role from the approvers file and where it was decided from \
            (host and user). Prints the decision's event ID. Refuses, publishing nothing, with one \
            line and exit code 1 when the request is unknown or already decided (saying by whom \
            and when), when NAME is not in the approvers file, or when NAME's role does not cover \
            the amount (saying which role is needed). If another decision reached the topic first \
            in the meantime, it says so and exits 1: the first decision counts.

            Example: agentbus approve 5f0c7a52-93d1-4b6e-8f2a-1d4c6b8e0a37 --by priya --note "income verified"
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var schemaOptions: SchemaOptions
    @OptionGroup var approversOptions: ApproversOptions

    @Argument(help: "The request's event ID (ce_id), as `agentbus approvals list` shows it.")
    var id: String

    @Option(name: .long, help: ArgumentHelp("Who decides: an approver's name in the approvers file.", valueName: "name"))
    var by: String

    @Option(name: .long, help: ArgumentHelp("A comment recorded with the decision.", valueName: "text"))
    var note: String?

    func validate() throws {
        if note?.isEmpty == true { throw ValidationError("--note takes a non-empty text") }
    }

    func run() async throws {
        try await ApprovalDecisionSender(
            command: "approve", outcome: .granted, requestID: id, approverName: by, comment: note, extra: [:],
            connection: connection, schemaOptions: schemaOptions, approversOptions: approversOptions
        ).run()
    }
}
