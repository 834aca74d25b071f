import Foundation

/// Schema documents compiled together, so `$ref`s across them resolve: the entry point of the
/// validator.
///
/// ```swift
/// let schemas = try SchemaSet(documents: SchemaSet.readDocuments(directory: "schemas"))
/// let validator = schemas.validator(for: "https://example.com/order.json")!
/// validator.isValid(Array(#"{"id": 1}"#.utf8))
/// ```
///
/// A keyword the validator does not implement is a load error, never silently ignored.
public struct SchemaSet: Sendable {
    /// The `$schema` of draft 2020-12, the only draft the validator reads.
    public static let draft202012 = SchemaCompiler.draft202012

    /// Compiled schemas by every URI that reaches them (see ``SchemaCompiler``).
    private let schemas: [String: SchemaNode]
    /// The documents as written, by the URI of their resource (`$id`, else where they were read).
    private let documents: [String: JSONValue]
    /// Each document with the validator of its root schema, in the order given.
    public let documentValidators: [(document: SchemaDocument, validator: SchemaValidator)]

    /// Compiles `documents` together.
    ///
    /// - Throws: ``SchemaLoadError`` listing every problem: unsupported keywords, malformed
    ///   keyword values, unresolved references.
    public init(documents: [SchemaDocument]) throws(SchemaLoadError) {
        var problems: [SchemaLoadError.Problem] = []
        self.init(documents: documents, problems: &problems)
        guard problems.isEmpty else { throw SchemaLoadError(problems: problems) }
    }

    /// Compiles `documents`, appending their problems to `problems` instead of throwing, for
    /// catalogs that check more and report everything at once.
    package init(documents: [SchemaDocument], problems: inout [SchemaLoadError.Problem]) {
        var compiler = SchemaCompiler()
        var roots: [(SchemaDocument, SchemaValidator)] = []
        for document in documents {
            let root = compiler.add(document.value, uri: document.uri, file: document.file)
            roots.append((document, SchemaValidator(root: root)))
        }
        compiler.link()
        problems += compiler.problems
        self.documentValidators = roots
        self.schemas = compiler.registered
        var byResource: [String: JSONValue] = [:]
        for document in documents {
            byResource[SchemaURI.splitFragment(document.uri).resource] = document.value
            if let id = document.value["$id"]?.stringValue {
                byResource[SchemaURI.splitFragment(SchemaURI.resolve(id, against: document.uri)).resource] = document.value
            }
        }
        self.documents = byResource
    }

    /// A validator for the schema at `uri` (an `$id` or the URI a document was read from,
    /// optionally with a JSON Pointer fragment or an anchor), or nil when no schema is there.
    public func validator(for uri: String) -> SchemaValidator? {
        schemas[SchemaURI.key(uri)].map(SchemaValidator.init(root:))
    }

    /// The schema as written at `uri` (a document URI or `$id`, optionally with a JSON Pointer
    /// fragment): for tools that reason about schemas rather than validate with them.
    public func rawSchema(at uri: String) -> JSONValue? {
        let (resource, fragment) = SchemaURI.splitFragment(uri)
        guard var value = documents[resource] else { return nil }
        guard !fragment.isEmpty else { return value }
        guard fragment.hasPrefix("/") else { return nil }
        for token in fragment.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch value {
            case .object(let object):
                guard let next = object[name] else { return nil }
                value = next
            case .array(let array):
                guard let index = Int(name), array.indices.contains(index) else { return nil }
                value = array[index]
            default:
                return nil
            }
        }
        return value
    }

    /// `reference` resolved against `base`, as ``rawSchema(at:)`` takes it.
    package static func resolve(_ reference: String, against base: String) -> String {
        SchemaURI.resolve(reference, against: base)
    }

    /// Reads and parses every `*.json` file under `directory` (recursively, in path order)
    /// without compiling them.
    ///
    /// - Throws: ``SchemaLoadError`` when the directory is missing or a file cannot be read or
    ///   is not JSON (every such file is listed).
    public static func readDocuments(directory: String) throws(SchemaLoadError) -> [SchemaDocument] {
        let root = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SchemaLoadError(file: directory, location: "", "no such schema directory")
        }
        var files: [String] = []
        if let enumerator = FileManager.default.enumerator(atPath: root.path) {
            for case let path as String in enumerator where path.hasSuffix(".json") { files.append(path) }
        }
        var documents: [SchemaDocument] = []
        var problems: [SchemaLoadError.Problem] = []
        for relative in files.sorted() {
            let url = root.appendingPathComponent(relative)
            let display = directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
            guard let data = FileManager.default.contents(atPath: url.path) else {
                problems.append(.init(file: display, location: "", message: "cannot be read"))
                continue
            }
            do {
                let value = try JSONValue(parsing: [UInt8](data))
                documents.append(SchemaDocument(value: value, uri: url.standardizedFileURL.absoluteString, file: display))
            } catch {
                problems.append(.init(file: display, location: "", message: error.description))
            }
        }
        guard problems.isEmpty else { throw SchemaLoadError(problems: problems) }
        return documents
    }
}
