import Foundation
import JSONSchema

/// Schema files built into an executable, so an agent finds its catalog wherever it runs.
///
/// The `AgentBusSchemaEmbedder` build-tool plugin generates one per target, from the target's
/// `schemas/**/*.json`, as `EmbeddedSchemas.module` (internal, like `Bundle.module`). A target
/// that shares its event types exposes it publicly:
///
/// ```swift
/// extension EmbeddedSchemas {
///     public static let orderEvents: EmbeddedSchemas = .module
/// }
/// ```
///
/// and an agent returns it from ``AgentCommand/embeddedSchemas``. `--schemas` and
/// `$AGENTBUS_SCHEMAS` still win over it (docs/events-and-schemas.md).
public struct EmbeddedSchemas: Sendable, Equatable {
    /// One schema file: its path under the `schemas/` folder and its bytes.
    public struct File: Sendable, Equatable {
        public var path: String
        public var contents: [UInt8]

        public init(path: String, contents: [UInt8]) {
            self.path = path
            self.contents = contents
        }

        /// The form the plugin writes: the bytes as base64 (exact, and quick to compile).
        public init(path: String, base64: String) {
            guard let data = Data(base64Encoded: base64) else {
                preconditionFailure("embedded schema \(path) is not base64: regenerate it with AgentBusSchemaEmbedder")
            }
            self.init(path: path, contents: [UInt8](data))
        }
    }

    /// The target the files were embedded in, for messages.
    public var name: String
    public var files: [File]

    public init(name: String, files: [File]) {
        self.name = name
        self.files = files
    }

    /// Where messages say a file came from: `<name>/schemas/<path>`, as in the source tree.
    public func displayPath(of file: File) -> String { "\(name)/schemas/\(file.path)" }

    /// The files parsed as schema documents, in path order.
    ///
    /// - Throws: ``SchemaLoadError`` with one problem per file that is not JSON.
    public func documents() throws(SchemaLoadError) -> [SchemaDocument] {
        var documents: [SchemaDocument] = []
        var problems: [SchemaLoadError.Problem] = []
        for file in files.sorted(by: { $0.path < $1.path }) where file.path.hasSuffix(".json") {
            do {
                let value = try JSONValue(parsing: file.contents)
                // A URI of their own, under which relative `$ref`s between documents without
                // `$id` still resolve as they do in the directory.
                documents.append(
                    SchemaDocument(
                        value: value, uri: "file:///agentbus-embedded/\(name)/\(file.path)", file: displayPath(of: file)))
            } catch {
                problems.append(.init(file: displayPath(of: file), location: "", message: error.description))
            }
        }
        guard problems.isEmpty else { throw SchemaLoadError(problems: problems) }
        return documents
    }

    /// The catalog these files make.
    ///
    /// - Throws: ``SchemaLoadError`` listing every problem, each naming its embedded file.
    public func load() throws(SchemaLoadError) -> SchemaRegistry {
        try SchemaRegistry(documents: documents())
    }
}
