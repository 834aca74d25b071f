import JSONSchema

/// The checks of `agentbus schemas lint`: everything ``SchemaRegistry`` refuses to load, plus
/// the conventions of an event catalog that loading does not need (some only advice: an event
/// type outside the versioned reverse-DNS convention is a warning, since it may be another
/// producer's).
package enum SchemaLint {
    package struct Finding: Sendable, CustomStringConvertible {
        package enum Severity: String, Sendable { case error, warning }
        package var severity: Severity
        package var problem: SchemaLoadError.Problem

        package var description: String { severity == .warning ? "warning: \(problem)" : problem.description }
    }

    package struct Report: Sendable {
        package var findings: [Finding]
        /// Documents read, and event types among them (when they loaded).
        package var documentCount: Int
        package var eventTypeCount: Int

        package var errorCount: Int { findings.filter { $0.severity == .error }.count }
    }

    package static func lint(directory: String) -> Report {
        let documents: [SchemaDocument]
        do {
            documents = try SchemaSet.readDocuments(directory: directory)
        } catch {
            return Report(findings: error.problems.map { Finding(severity: .error, problem: $0) }, documentCount: 0, eventTypeCount: 0)
        }
        let registry: SchemaRegistry
        do {
            registry = try SchemaRegistry(documents: documents)
        } catch {
            return Report(
                findings: error.problems.map { Finding(severity: .error, problem: $0) }, documentCount: documents.count,
                eventTypeCount: 0)
        }
        var findings: [Finding] = []
        for document in documents {
            func add(_ severity: Finding.Severity, _ location: String, _ message: String) {
                findings.append(Finding(severity: severity, problem: .init(file: document.file, location: location, message: message)))
            }
            if document.value["$schema"] == nil {
                add(.error, "", "no $schema; declare \"\(SchemaSet.draft202012)\"")
            }
            if document.value["$id"] == nil { add(.error, "", "no $id; other schemas and events cannot refer to it") }
            guard document.value["x-agentbus-topic"] != nil,
                let type = document.value["$id"]?.stringValue.flatMap(SchemaRegistry.eventType(fromID:)),
                let schema = registry.eventSchema(for: type)
            else { continue }
            if !SchemaRegistry.isConventionalEventType(type) {
                add(.warning, "/$id", "event type \(type) is not <reverse-dns>.<name>.v<major> (e.g. "
                    + "com.example.order.created.v1); fine for another producer's type, advised for your own")
            }
            if let file = document.file, file.split(separator: "/").last.map(String.init) != type + ".json" {
                add(.error, "", "an event schema's file is named after its type: \(type).json")
            }
            if document.value["type"]?.stringValue != "object" { add(.error, "/type", "an event payload must be \"type\": \"object\"") }
            for keyword in ["title", "description"] where document.value[keyword]?.stringValue?.isEmpty ?? true {
                add(.error, "", "no \(keyword); say what happened and who publishes it")
            }
            if document.value["additionalProperties"]?.boolValue != false {
                add(.warning, "", "no \"additionalProperties\": false; misspelt properties will pass unnoticed")
            }
            if schema.examples.isEmpty { add(.error, "/examples", "no examples; give at least one sample payload") }
            for (index, example) in schema.examples.enumerated() {
                for violation in schema.validator.validate(example) {
                    add(.error, "/examples/\(index)", "does not validate: \(violation)")
                }
            }
        }
        return Report(findings: findings, documentCount: documents.count, eventTypeCount: registry.eventSchemas.count)
    }
}
