import AgentBus
import ArgumentParser

/// Where a command finds the event schemas: the same flag on every command that needs them.
struct SchemaOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The schema directory. Default: $AGENTBUS_SCHEMAS, then ./schemas.", valueName: "dir"))
    var schemas: String?

    var directory: SchemaDirectory { SchemaDirectory.resolve(flag: schemas) }

    /// The registry, or a one-line error per problem and exit code 1.
    func load(command: String) throws -> SchemaRegistry {
        do {
            return try directory.load()
        } catch {
            for problem in error.problems.prefix(20) { Output.error("agentbus \(command): \(problem)") }
            if error.problems.count > 20 { Output.error("agentbus \(command): ... and \(error.problems.count - 20) more") }
            throw ExitCode.failure
        }
    }
}
