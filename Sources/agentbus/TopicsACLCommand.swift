import AgentBus
import ArgumentParser
import Foundation
import Synchronization

struct TopicsACLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acl",
        abstract: "Print the Kafka ACLs an agent needs: its group, the topics it reads and those it writes.",
        discussion: """
            Asks each agent's executable what it reads and writes (`<agent> --describe`, which \
            connects to nothing), and prints the grants for its principal: Read on its consumer \
            group and on the topics it consumes and follows, Write on the topics it publishes to \
            and keeps its books in, and IdempotentWrite on the cluster (needed before Kafka 2.8).

            The executable is found next to agentbus, then on $PATH, as `replay rerun` finds it; \
            --executable names it for a single --agent. An agent that needs settings to start (the \
            explainer's $AGENTBUS_MODEL_URL, say) gets this command's environment.

            Formats: kafka-acls (kafka-acls.sh commands), strimzi (a KafkaUser per agent, \
            SCRAM-SHA-512) or json (one object per agent, a line each).

            Example: agentbus topics acl --agent credit-check --principal User:credit-check \
            --bootstrap-server kafka-1:9093 --command-config admin.properties
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case kafkaACLs = "kafka-acls"
        case strimzi
        case json
    }

    @Option(name: .customLong("agent"), help: ArgumentHelp("An agent to print the ACLs of (repeatable).", valueName: "name"))
    var agents: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "The agent's executable, for a single --agent. Default: the one named after it next to agentbus, then on $PATH.",
        valueName: "path"))
    var executable: String?

    @Option(name: .long, help: ArgumentHelp(
        "The principal the grants are for; {agent} stands for the agent's name.", valueName: "principal"))
    var principal = "User:{agent}"

    @Option(name: .long, help: "kafka-acls, strimzi or json.")
    var format: Format = .kafkaACLs

    @Option(name: .long, help: ArgumentHelp(
        "The bootstrap servers written into the kafka-acls.sh commands.", valueName: "host:port"))
    var bootstrapServer = "$BOOTSTRAP"

    @Option(name: .long, help: ArgumentHelp(
        "The admin client properties file written into the kafka-acls.sh commands.", valueName: "file"))
    var commandConfig: String?

    @Option(name: .long, help: ArgumentHelp("The Strimzi Kafka cluster the KafkaUsers belong to.", valueName: "name"))
    var strimziCluster = "agentbus"

    func validate() throws {
        guard !agents.isEmpty else { throw ValidationError("name at least one --agent") }
        if executable != nil, agents.count > 1 { throw ValidationError("--executable goes with a single --agent") }
        for agent in agents {
            if let problem = AgentTopics.problem(withAgentName: agent) { throw ValidationError(problem) }
        }
    }

    func run() async throws {
        var acls: [AgentACL] = []
        for agent in agents {
            let description: AgentDescription
            switch AgentExecutable.locate(agent: agent, given: executable, environment: ProcessInfo.processInfo.environment) {
            case .failure(let error):
                Output.error("agentbus topics acl: \(error.message.replacingOccurrences(of: "--handler-binary", with: "--executable"))")
                throw ExitCode.failure
            case .success(let path):
                do { description = try Self.describe(executable: path) } catch {
                    Output.error("agentbus topics acl: \(agent): \(error.message)")
                    throw ExitCode.failure
                }
            }
            guard description.agent == agent else {
                Output.error("agentbus topics acl: the executable for \(agent) runs the agent \(description.agent)")
                throw ExitCode.failure
            }
            acls.append(AgentACL(description: description, principal: principal.replacingOccurrences(of: "{agent}", with: agent)))
        }
        switch format {
        case .kafkaACLs:
            for acl in acls {
                Output.line("# \(acl.agent): \(acl.principal)")
                for command in acl.kafkaACLsCommands(bootstrap: bootstrapServer, commandConfig: commandConfig) {
                    Output.line(command)
                }
            }
        case .strimzi:
            Output.line(acls.map { $0.strimziKafkaUser(cluster: strimziCluster) }.joined(separator: "\n---\n"))
        case .json:
            for acl in acls { Output.line(acl.json) }
        }
    }

    struct DescribeError: Error {
        let message: String
    }

    /// Runs `executable --describe` and reads its one line of JSON.
    static func describe(executable: String) throws(DescribeError) -> AgentDescription {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--describe"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw DescribeError(message: "cannot start \(executable): \(error.localizedDescription)")
        }
        // Its error output is a line or a usage text; read it on the side so neither pipe fills.
        let errorText = Mutex(Data())
        let errorRead = DispatchSemaphore(value: 0)
        Thread {
            errorText.withLock { $0 = errors.fileHandleForReading.readDataToEndOfFile() }
            errorRead.signal()
        }.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorRead.wait()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let said = errorText.withLock { String(decoding: $0, as: UTF8.self) }
                .split(separator: "\n").first.map(String.init) ?? "no message"
            if said.contains("'--describe'") {
                throw DescribeError(
                    message: "\(executable) is no AgentCommand agent: it cannot describe itself (the supervisor's grants are listed in docs/deploy.md)")
            }
            throw DescribeError(message: "\(executable) --describe failed (status \(process.terminationStatus)): \(said)")
        }
        do { return try AgentDescription(json: data) } catch {
            throw DescribeError(message: "\(executable) --describe printed no agent description: \(error)")
        }
    }
}
