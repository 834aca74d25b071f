/// Schemas that cannot be used: each problem names the file, the place in the schema and what
/// is wrong, on one line.
public struct SchemaLoadError: Error, Sendable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The schema file, when the schema came from one.
        public var file: String?
        /// A JSON Pointer into the schema document (`""` for the document itself).
        public var location: String
        public var message: String

        public init(file: String?, location: String, message: String) {
            self.file = file
            self.location = location
            self.message = message
        }

        public var description: String {
            var prefix = file.map { $0 + ": " } ?? ""
            if !location.isEmpty { prefix += location + ": " }
            return prefix + message
        }
    }

    public var problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }

    package init(file: String?, location: String, _ message: String) {
        problems = [Problem(file: file, location: location, message: message)]
    }

    public var description: String {
        guard let first = problems.first else { return "no schema problems" }
        return problems.count == 1 ? first.description : "\(first) (and \(problems.count - 1) more problem\(problems.count == 2 ? "" : "s"))"
    }
}
