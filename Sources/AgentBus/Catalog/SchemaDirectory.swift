import Foundation
import JSONSchema

/// Where the schemas are: `--schemas`, then `$AGENTBUS_SCHEMAS`, then the schemas embedded in
/// the agent (when it has some), then `./schemas`.
public struct SchemaDirectory: Sendable, Equatable {
    public enum Source: String, Sendable {
        case flag = "--schemas"
        case environment = "AGENTBUS_SCHEMAS"
        /// Built into the executable (``EmbeddedSchemas``); ``SchemaDirectory/embedded`` holds them.
        case embedded = "the agent's embedded schemas"
        case workingDirectory = "./schemas"
    }

    /// The directory; for embedded schemas, `<embedded in NAME>`, for messages.
    public var path: String
    public var source: Source
    /// The files, when the catalog is built into the executable.
    public var embedded: EmbeddedSchemas?

    public init(path: String, source: Source) {
        self.path = path
        self.source = source
    }

    /// The catalog built into the executable.
    public init(embedded: EmbeddedSchemas) {
        self.path = "<embedded in \(embedded.name)>"
        self.source = .embedded
        self.embedded = embedded
    }

    /// Resolves the catalog: `flag`, then `$AGENTBUS_SCHEMAS`, then `embedded`, then `./schemas`.
    public static func resolve(
        flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        embedded: EmbeddedSchemas? = nil
    ) -> SchemaDirectory {
        if let flag, !flag.isEmpty { return SchemaDirectory(path: flag, source: .flag) }
        if let path = environment["AGENTBUS_SCHEMAS"], !path.isEmpty {
            return SchemaDirectory(path: path, source: .environment)
        }
        if let embedded { return SchemaDirectory(embedded: embedded) }
        return SchemaDirectory(path: "schemas", source: .workingDirectory)
    }

    /// The catalog in a sentence's words: `the schema catalog at schemas`, or `the schemas
    /// embedded in LoanEvents`.
    public var catalogDescription: String {
        if let embedded { return "the schemas embedded in \(embedded.name)" }
        return "the schema catalog at \(path)"
    }

    /// Loads the registry, with an error that says where the catalog came from.
    public func load() throws(SchemaLoadError) -> SchemaRegistry {
        if let embedded { return try embedded.load() }
        do {
            return try SchemaRegistry.load(directory: path)
        } catch {
            if error.problems.count == 1, error.problems[0].message == "no such schema directory" {
                throw SchemaLoadError(
                    file: path, location: "",
                    "no such schema directory (from \(source.rawValue); pass --schemas DIR or set AGENTBUS_SCHEMAS)")
            }
            throw error
        }
    }
}
