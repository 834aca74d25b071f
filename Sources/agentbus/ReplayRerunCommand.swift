import AgentBus
import AgentBusReplay
import ArgumentParser
import Foundation
import JSONSchema

struct ReplayRerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Run an agent's current handlers against a recorded workflow and show how its outputs differ.",
        discussion: """
            Every event of the workflow the agent handled successfully is handed again to the \
            agent's handlers, as built now, with the attempt number that succeeded; every effect \
            and model call is answered from the agent's effect journal (<agent>.journal) as \
            recorded, so nothing live is called: no model, no payment, no Kafka. An effect the \
            recording lacks fails that event's rerun (an error, not a call). The outputs are \
            matched with the recorded ones by event ID (IDs derive from the input, the agent, \
            the type and the output's index or name, so the same handling publishes the same \
            IDs).

            agentbus cannot link the agent's code, so it runs the agent's executable with the \
            hidden option --rerun -, which every AgentCommand executable takes: it builds the \
            agent as usual (its own options and environment; give options after --), reads the \
            recording on standard input and prints what its handlers published. The executable \
            is --handler-binary, else one named after the agent next to agentbus, else on $PATH.

            Per event rerun: a line with its type and ID, then per output `= unchanged`, \
            `~ changed` with a line per field that differs, `+ added` or `- removed` with the \
            payload, and `!` with the error of an event whose rerun failed. --format json prints \
            the same as one JSON document.

            Exit status: 0 no differences, 1 differences, 2 errors (an event's rerun failed, the \
            workflow or the executable was not found, the executable failed).

            Examples:
              agentbus replay rerun 0190f3a1-7c3e-7def-8abc-0123456789ab --agent risk-scorer
              agentbus replay rerun 0190f3a1-... --agent risk-scorer --from-file incident.jsonl
              agentbus replay rerun 0190f3a1-... --agent triage --handler-binary .build/debug/triage -- --model gpt-4o-mini
            """
    )

    @OptionGroup var source: ReplaySourceOptions

    @Argument(help: "The workflow's correlation ID; `agentbus replay ls` lists them.")
    var correlationID: String

    @Option(name: .long, help: ArgumentHelp("The agent to rerun, by name.", valueName: "name"))
    var agent: String

    @Option(name: .customLong("handler-binary"), help: ArgumentHelp(
        "The agent's executable. Default: one named after the agent next to agentbus, else on $PATH.", valueName: "path"))
    var handlerBinary: String?

    @Option(name: .customLong("format"), help: ArgumentHelp("text or json.", valueName: "format"))
    var formatName = "text"

    @Argument(parsing: .postTerminator, help: ArgumentHelp(
        "Options for the agent's executable, after --: its own, as it is run.", valueName: "agent-option"))
    var agentArguments: [String] = []

    static let command = "replay rerun"

    /// Errors exit 2, as diff's do: 1 means "differences".
    static let failure = ExitCode(2)

    func run() async throws {
        let command = Self.command
        func fail(_ message: String) -> ExitCode {
            Output.error("agentbus \(command): \(message)")
            return Self.failure
        }
        guard formatName == "text" || formatName == "json" else {
            throw fail("unknown --format \"\(formatName.oneLine)\"; formats: text, json")
        }
        if let problem = AgentTopics.problem(withAgentName: agent) { throw fail("--agent: \(problem)") }
        let executable: String
        switch AgentExecutable.locate(agent: agent, given: handlerBinary, environment: ProcessInfo.processInfo.environment) {
        case .success(let path): executable = path
        case .failure(let error): throw fail(error.message)
        }
        let log: ReplayLog
        do {
            _ = try source.replayOptions(command: command)
            log = try await source.load(command: command, journals: .workflow(correlationID, agent: agent))
        } catch let code as ExitCode where code == .failure {
            throw Self.failure  // the reason is printed already
        }

        guard let workflow = log.workflow(correlationID) else { throw fail(ReplayShowCommand.notFound(correlationID, in: log)) }
        let recording: RecordedWorkflow
        do {
            recording = try log.recordedWorkflow(correlationID, agent: agent)
        } catch {
            throw fail(error.message)
        }
        ReplayFindingPrinter.printWarnings(log.inputFindings, about: correlationID, command: command)
        guard !recording.inputs.isEmpty else {
            let agents = Set(workflow.nodes.flatMap { $0.handlings.filter { $0.outcome == .ok }.map(\.agent) })
            let others = agents.isEmpty ? "no agent did" : "agents that did: \(agents.sorted().joined(separator: ", "))"
            throw fail("\(agent) handled no event of workflow \(correlationID.oneLine) successfully, so there is nothing to rerun (\(others))")
        }

        let outcomes: [RerunOutcome]
        do {
            outcomes = try await AgentRerunProcess(executable: executable, arguments: agentArguments).run(recording)
        } catch {
            throw fail(error.message)
        }
        let diff = RerunDiff(recording: recording, outcomes: outcomes)
        Output.line(formatName == "json" ? diff.json.prettyJSONText : diff.text)
        if recording.journal.isEmpty, diff.errors.contains(where: { $0.error?.contains("EffectError") == true }) {
            Output.error(
                "agentbus \(command): warning: the log holds no entries of \(AgentTopics.journal(of: agent)) for this workflow (saved without them, or read after the journal's retention dropped them), so every effect fails")
        }
        if !diff.errors.isEmpty { throw Self.failure }
        if diff.hasDifferences { throw ExitCode.failure }
    }
}
