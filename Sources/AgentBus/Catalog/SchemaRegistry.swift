import Foundation
import JSONSchema

/// Every schema AgentBus knows, compiled, and the event types among them.
///
/// Load it once from a directory (``load(directory:)``) so a deployed agent validates with no
/// network service. An event type's schema is a document with `x-agentbus-topic`; other
/// documents (shared definitions) serve `$ref`s.
public struct SchemaRegistry: Sendable {
    /// Event schemas by their `ce_type`.
    public let eventSchemas: [String: EventSchema]
    /// Every document, compiled: event schemas and the shared definitions they reference.
    public let schemaSet: SchemaSet

    /// Compiles `documents` together, so `$ref`s across them resolve.
    ///
    /// - Throws: ``SchemaLoadError`` listing every problem: unsupported keywords, malformed
    ///   keyword values, unresolved references, event schemas without `$id` or with a bad topic.
    public init(documents: [SchemaDocument]) throws(SchemaLoadError) {
        var problems: [SchemaLoadError.Problem] = []
        let schemaSet = SchemaSet(documents: documents, problems: &problems)
        var eventSchemas: [String: EventSchema] = [:]
        for (document, validator) in schemaSet.documentValidators {
            guard let topic = document.value["x-agentbus-topic"] else { continue }
            func problem(_ location: String, _ message: String) {
                problems.append(.init(file: document.file, location: location, message: message))
            }
            guard let id = document.value["$id"]?.stringValue,
                let type = Self.eventType(fromID: id)
            else {
                problem("", "an event schema needs an $id ending in /<ce_type>.json, where <ce_type> can be a file name")
                continue
            }
            guard let topic = topic.stringValue, Self.isValidTopicName(topic) else {
                problem("/x-agentbus-topic", "must be a Kafka topic name (1 to 249 of a-z, A-Z, 0-9, '.', '_', '-')")
                continue
            }
            var keyField: String?
            if let key = document.value["x-agentbus-key"] {
                let required = document.value["required"]?.arrayValue ?? []
                guard let name = key.stringValue, document.value["properties"]?[name] != nil,
                    required.contains(.string(name))
                else {
                    problem("/x-agentbus-key", "must name a required property of the event")
                    continue
                }
                keyField = name
            }
            if let other = eventSchemas[type] {
                problem("/$id", "event type \(type) is also defined by \(other.file ?? other.id)")
                continue
            }
            eventSchemas[type] = EventSchema(
                type: type, id: id, topic: topic, keyField: keyField,
                examples: document.value["examples"]?.arrayValue ?? [],
                validator: validator, document: document.value, file: document.file)
        }
        guard problems.isEmpty else { throw SchemaLoadError(problems: problems) }
        self.eventSchemas = eventSchemas
        self.schemaSet = schemaSet
    }

    /// The schema as written at `uri` (a document URI or `$id`, optionally with a JSON Pointer
    /// fragment): for tools that reason about schemas rather than validate with them.
    public func rawSchema(at uri: String) -> JSONValue? { schemaSet.rawSchema(at: uri) }

    /// `reference` resolved against `base`, as ``rawSchema(at:)`` takes it.
    public static func resolve(_ reference: String, against base: String) -> String {
        SchemaSet.resolve(reference, against: base)
    }

    /// Loads every `*.json` file under `directory` (recursively).
    public static func load(directory: String) throws(SchemaLoadError) -> SchemaRegistry {
        try SchemaRegistry(documents: SchemaSet.readDocuments(directory: directory))
    }

    /// The schema of an event type, or nil when the type is unknown.
    public func eventSchema(for type: String) -> EventSchema? { eventSchemas[type] }

    /// All event types, sorted.
    public var eventTypes: [String] { eventSchemas.keys.sorted() }

    /// All topics the event types are published to, sorted.
    public var topics: [String] { Set(eventSchemas.values.map(\.topic)).sorted() }

    /// A validator for the schema at `uri` (an `$id`, optionally with a fragment).
    public func validator(for uri: String) -> SchemaValidator? { schemaSet.validator(for: uri) }

    /// The known types closest to `type`, for "did you mean" messages: those within a small
    /// edit distance, or sharing its last segments.
    public func suggestions(for type: String, limit: Int = 3) -> [String] {
        let scored = eventTypes.map { ($0, Self.editDistance($0, type)) }
        let threshold = max(3, type.count / 4)
        var close = scored.filter { $0.1 <= threshold }.sorted { $0.1 < $1.1 }.map(\.0)
        if close.isEmpty {
            let words = Set(type.split(separator: ".").filter { $0.count > 2 && !$0.hasPrefix("v") })
            close = eventTypes.filter { !words.isDisjoint(with: $0.split(separator: ".")) }
        }
        return Array(close.prefix(limit))
    }

    // MARK: - Rules

    /// `https://.../dev.agentbus.loan.application.received.v1.json` → `dev.agentbus.loan.application.received.v1`.
    static func eventType(fromID id: String) -> String? {
        let resource = SchemaURI.splitFragment(id).resource
        guard let last = resource.split(separator: "/").last, last.hasSuffix(".json") else { return nil }
        let type = String(last.dropLast(5))
        return isValidEventType(type) ? type : nil
    }

    /// Whether `type` can be an event type in the catalog: any CloudEvents `type` (a non-empty
    /// string) that can also be a file name segment and its `$id`'s last path segment. So no `/`,
    /// `\\`, `?` or `#`, no whitespace or control characters, not `.` or `..`, and at most 250
    /// bytes (the file name adds `.json`).
    ///
    /// Other producers' types (`com.example.order.created`) pass; the catalog's own convention,
    /// ``isConventionalEventType(_:)``, is advice from `agentbus schemas lint`.
    public static func isValidEventType(_ type: String) -> Bool {
        !type.isEmpty && type != "." && type != ".." && type.utf8.count <= 250
            && type.unicodeScalars.allSatisfy { scalar in
                !"/\\?#".unicodeScalars.contains(scalar) && !scalar.properties.isWhitespace
                    && scalar.properties.generalCategory != .control && scalar.properties.generalCategory != .format
                    && scalar.properties.generalCategory != .unassigned
            }
    }

    /// The convention for types of your own: reverse-DNS segments of lowercase letters, digits
    /// and '-', ending in a major version, `dev.agentbus.loan.application.received.v1`.
    public static func isConventionalEventType(_ type: String) -> Bool {
        let segments = type.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count >= 3, let version = segments.last, version.hasPrefix("v"),
            version.count > 1, version.dropFirst().allSatisfy(\.isASCIIDigit)
        else { return false }
        return segments.dropLast().allSatisfy { segment in
            !segment.isEmpty && segment.allSatisfy { $0.isASCIILowercaseLetter || $0.isASCIIDigit || $0 == "-" }
        }
    }

    public static func isValidTopicName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 249 && name != "." && name != ".."
            && name.allSatisfy { $0.isASCIILowercaseLetter || $0.isASCIIDigit || ("A"..."Z").contains($0) || "._-".contains($0) }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isASCIILowercaseLetter: Bool { ("a"..."z").contains(self) }
}
