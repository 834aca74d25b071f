import ArgumentParser

struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals",
        abstract: "List approval requests and decide them (human approval gates).",
        discussion: """
            An agent asks a person to decide by publishing a <prefix>.approval.requested.v<N> \
            event; `agentbus approve` and `agentbus reject` answer it with \
            <prefix>.approval.granted.v<N> or .rejected.v<N>, published as a child of the \
            request (same correlation ID, caused by it). The first decision on a request counts; \
            later ones are refused. Who may decide what is configured in the approvers file \
            (--approvers, $AGENTBUS_APPROVERS, ./approvers.json): roles from lowest to highest \
            with their limits, and each approver's role. A request undecided past its deadline \
            escalates to the role above. `agentbus approve` and `agentbus reject` are also \
            available here as `approvals approve` and `approvals reject`.
            """,
        subcommands: [ApprovalsListCommand.self, ApproveCommand.self, RejectCommand.self]
    )
}
