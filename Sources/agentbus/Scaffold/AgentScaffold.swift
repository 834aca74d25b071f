/// The files of a new agent package, as `agentbus new agent NAME` writes them: a package that
/// builds at once, with one input and one output event type (schemas and Swift types), the agent,
/// its `main`, a test on AgentBusTesting, and a README with the commands to run it.
///
/// Pure: it only computes paths and contents, so it is tested without touching the disk.
struct AgentScaffold {
    /// The agent's name: its consumer group and `ce_source`. Lowercase letters, digits and `-`,
    /// starting with a letter (`triage`, `credit-check`).
    let name: String
    /// How the new package depends on AgentBus.
    let dependency: Dependency

    enum Dependency: Equatable {
        /// A local checkout; `identity` is what SwiftPM calls it (the folder's name, lowercased).
        case path(String, identity: String)
        /// A git URL and the branch to follow.
        case url(String, branch: String, identity: String)

        var identity: String {
            switch self {
            case .path(_, let identity), .url(_, _, let identity): identity
            }
        }

        var packageLine: String {
            switch self {
            case .path(let path, _): ".package(path: \(Self.quoted(path)))"
            case .url(let url, let branch, _): ".package(url: \(Self.quoted(url)), branch: \(Self.quoted(branch)))"
            }
        }

        private static func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
    }

    /// Why `name` cannot name an agent, or nil when it can.
    static func problem(withName name: String) -> String? {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else {
            return "an agent name starts with a lowercase letter, got \"\(name)\""
        }
        guard name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }),
            !name.hasSuffix("-"), !name.contains("--")
        else {
            return "an agent name is lowercase letters, digits and single '-' (like credit-check), got \"\(name)\""
        }
        guard name.count <= 40 else { return "an agent name is at most 40 characters, got \(name.count)" }
        let type = AgentScaffold(name: name, dependency: .path("", identity: "")).typeName
        if reservedTypeNames.contains(type) {
            return "\"\(name)\" would name the agent's type \(type), which AgentBus, Swift or the tests already use; choose another name"
        }
        return nil
    }

    /// Type names the generated code would clash with: AgentBus's, the standard library's and
    /// the testing library's, and the modules the package imports.
    static let reservedTypeNames: Set<String> = [
        "Agent", "AgentBus", "AgentBusTesting", "AgentCommand", "AgentOptions", "AgentServices", "AgentTester",
        "ArgumentParser", "EmbeddedSchemas", "EventEnvelope", "EventHandler", "Foundation", "HandlerContext",
        "Kafka", "JSONSchema", "Logging", "String", "Swift", "Test", "Testing", "TypedEvent",
    ]

    /// `credit-check` → `CreditCheck`.
    var typeName: String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The library that holds the agent and its event types, so tests import it in any build
    /// configuration (an executable module can be imported only by `@testable` debug tests).
    var libraryName: String { typeName + "Agent" }
    var commandTypeName: String { typeName + "Command" }
    var testTargetName: String { libraryName + "Tests" }
    var requestType: String { typeName + "Requested" }
    var resultType: String { typeName + "Completed" }
    /// `credit-check` → `credit.check`, the event types' middle segment.
    var typeSegment: String { name.replacingOccurrences(of: "-", with: ".") }
    var requestEventType: String { "com.example.\(typeSegment).requested.v1" }
    var resultEventType: String { "com.example.\(typeSegment).completed.v1" }
    /// `credit-check` → `creditCheck`, the embedded catalog's name.
    var catalogName: String { typeName.prefix(1).lowercased() + typeName.dropFirst() }
    /// `credit-check` → `CREDIT_CHECK`, the prefix of the agent's own environment variables.
    var environmentPrefix: String { name.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// Every file, by path relative to the package root.
    var files: [(path: String, contents: String)] {
        [
            ("Package.swift", packageManifest),
            (".gitignore", ".build/\n.swiftpm/\nPackage.resolved\n"),
            ("README.md", readme),
            ("Sources/\(libraryName)/\(typeName).swift", agentSource),
            ("Sources/\(libraryName)/\(requestType).swift", requestSource),
            ("Sources/\(libraryName)/\(resultType).swift", resultSource),
            ("Sources/\(libraryName)/EmbeddedSchemas+\(typeName).swift", catalogSource),
            ("Sources/\(libraryName)/schemas/\(requestEventType).json", requestSchema),
            ("Sources/\(libraryName)/schemas/\(resultEventType).json", resultSchema),
            ("Sources/\(name)/\(commandTypeName).swift", commandSource),
            ("Tests/\(testTargetName)/\(typeName)Tests.swift", testSource),
        ]
    }
}
