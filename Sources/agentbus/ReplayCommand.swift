import ArgumentParser

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Reconstruct workflows from the event log: who caused what, and where it failed.",
        discussion: """
            Reads every topic except Kafka's internal ones and agentbus.heartbeats (so the event \
            topics, every <agent>.retry.<delay> and <agent>.dlt, agentbus.activity and agentbus.registry; \
            for --save with a workflow and for rerun, that workflow's entries of the agents' effect \
            journals) with assign() and a throwaway group ID, never committing, so the agents' groups are \
            untouched; from the oldest record kept (or --since) to the end when the read starts \
            (or --until). Or replays a log saved with --save (--from-file). Each workflow is the \
            events with one correlation ID, linked by causation ID and the agents' activity records.

            Without a subcommand, shows one workflow: `agentbus replay CORRELATION_ID` is \
            `agentbus replay show CORRELATION_ID`.

            Examples:
              agentbus replay ls --failed
              agentbus replay 0190f3a1-7c3e-7def-8abc-0123456789ab
              agentbus replay 0190f3a1-... --format timeline --critical-path
              agentbus replay --since 2h --save last-two-hours.jsonl
              agentbus replay lint --from-file last-two-hours.jsonl
              agentbus replay redrive 0190f3a2-... --subtree --dry-run
              agentbus replay rerun 0190f3a1-... --agent risk-scorer
            """,
        subcommands: [
            ReplayShowCommand.self, ReplayListCommand.self, ReplayLintCommand.self, ReplayRedriveCommand.self,
            ReplayRerunCommand.self,
        ],
        defaultSubcommand: ReplayShowCommand.self
    )
}
