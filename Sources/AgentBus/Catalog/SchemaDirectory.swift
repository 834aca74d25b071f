import Foundation
import JSONSchema

/// Where the schemas are: `--schemas`, then `$AGENTBUS_SCHEMAS`, then `./schemas`.
public struct SchemaDirectory: Sendable, Equatable {
    public enum Source: String, Sendable {
        case flag = "--schemas"
        case environment = "AGENTBUS_SCHEMAS"
        case workingDirectory = "./schemas"
    }

    public var path: String
    public var source: Source

    public init(path: String, source: Source) {
        self.path = path
        self.source = source
    }

    public static func resolve(
        flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> SchemaDirectory {
        if let flag, !flag.isEmpty { return SchemaDirectory(path: flag, source: .flag) }
        if let path = environment["AGENTBUS_SCHEMAS"], !path.isEmpty {
            return SchemaDirectory(path: path, source: .environment)
        }
        return SchemaDirectory(path: "schemas", source: .workingDirectory)
    }

    /// Loads the registry, with an error that says where the directory came from.
    public func load() throws(SchemaLoadError) -> SchemaRegistry {
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
