import ArgumentParser
import Foundation

struct NewAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Scaffold a Swift package for a new agent that builds and tests at once.",
        discussion: """
            Writes NAME/ (or --path): Package.swift depending on AgentBus, the agent with one handler, \
            schemas and Swift types for its input and output events, its executable with an option \
            of its own, a test on AgentBusTesting, and a README with the commands to test and run it.
            """
    )

    @Argument(help: ArgumentHelp("The agent's name: lowercase letters, digits and '-' (its consumer group).", valueName: "name"))
    var name: String

    @Option(name: .long, help: ArgumentHelp("Where to write the package. Default: ./NAME.", valueName: "dir"))
    var path: String?

    @Option(name: .customLong("agentbus"), help: ArgumentHelp(
        "The AgentBus package to depend on: a local checkout's path or a git URL. Default: the checkout this agentbus was built from, when it is still there, else \(Self.publicURL).",
        valueName: "path-or-url"))
    var agentbus: String?

    @Option(name: .long, help: "The branch to follow when --agentbus is a URL.")
    var branch: String = "main"

    static let publicURL = "https://github.com/agentbus/agentbus"

    func validate() throws {
        if let problem = AgentScaffold.problem(withName: name) { throw ValidationError(problem) }
    }

    func run() async throws {
        let files = FileManager.default
        let directory = URL(fileURLWithPath: path ?? name, relativeTo: URL(fileURLWithPath: files.currentDirectoryPath))
            .standardizedFileURL
        if files.fileExists(atPath: directory.path),
            let contents = try? files.contentsOfDirectory(atPath: directory.path), !contents.isEmpty
        {
            throw ValidationError("\(directory.path) exists and is not empty; choose another --path")
        }
        let scaffold = AgentScaffold(name: name, dependency: try dependency())
        do {
            for file in scaffold.files {
                let url = directory.appendingPathComponent(file.path)
                try files.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url)
            }
        } catch {
            Output.error("agentbus new agent: cannot write \(directory.path): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        let shown = path ?? name
        Output.line("created \(shown)/ (\(scaffold.files.count) files), depending on AgentBus at \(scaffold.dependency.location)")
        Output.line("next:")
        Output.line("  cd \(shown) && swift test")
        Output.line("  swift run \(name) --help")
    }

    /// The package to depend on: what the user named, else the source checkout of this build.
    private func dependency() throws -> AgentScaffold.Dependency {
        if let agentbus {
            if agentbus.contains("://") || agentbus.hasPrefix("git@") {
                return .url(agentbus, branch: branch, identity: Self.identity(of: agentbus))
            }
            let url = URL(fileURLWithPath: agentbus).standardizedFileURL
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) else {
                throw ValidationError("--agentbus: no Package.swift in \(url.path)")
            }
            return .path(url.path, identity: Self.identity(of: url.path))
        }
        if let checkout = Self.sourceCheckout {
            return .path(checkout, identity: Self.identity(of: checkout))
        }
        return .url(Self.publicURL, branch: branch, identity: Self.identity(of: Self.publicURL))
    }

    /// The checkout this executable was compiled from, if it is still on this machine.
    static var sourceCheckout: String? {
        // Sources/agentbus/Scaffold/NewAgentCommand.swift → the package root.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        let manifest = url.appendingPathComponent("Package.swift").path
        guard let text = try? String(contentsOfFile: manifest, encoding: .utf8), text.contains("name: \"AgentBus\"") else {
            return nil
        }
        return url.path
    }

    /// SwiftPM's identity of a package: the last path component, without `.git`, lowercased.
    static func identity(of location: String) -> String {
        var last = location.split(separator: "/").last.map(String.init) ?? location
        if last.hasSuffix(".git") { last.removeLast(4) }
        return last.lowercased()
    }
}

extension AgentScaffold.Dependency {
    var location: String {
        switch self {
        case .path(let path, _): path
        case .url(let url, let branch, _): "\(url) (\(branch))"
        }
    }
}
