/// Validates payloads against one compiled schema. Cheap to copy and safe to share: compile once
/// (through ``SchemaRegistry``), validate from any number of tasks.
///
/// Validation parses the payload in place and, for a valid payload, allocates nothing.
public struct SchemaValidator: Sendable {
    let root: SchemaNode

    init(root: SchemaNode) { self.root = root }

    /// Whether `payload` is JSON that the schema accepts. The fast check: no error details.
    public func isValid(_ payload: UnsafeRawBufferPointer) -> Bool {
        let bytes = payload.assumingMemoryBound(to: UInt8.self)
        return (try? JSONDocument.withParsed(bytes) { document in
            var evaluation = SchemaEvaluation(document: document, collecting: false)
            return evaluation.validate(root, 0)
        }) ?? false
    }

    /// Every violation in `payload`; empty when it is valid. A payload that is not JSON gives one
    /// violation with the keyword `json`.
    public func validate(_ payload: UnsafeRawBufferPointer) -> [SchemaViolation] {
        let bytes = payload.assumingMemoryBound(to: UInt8.self)
        do {
            return try JSONDocument.withParsed(bytes) { document in
                var evaluation = SchemaEvaluation(document: document, collecting: false)
                if evaluation.validate(root, 0) { return [] }
                var collecting = SchemaEvaluation(document: document, collecting: true)
                _ = collecting.validate(root, 0)
                return collecting.violations
            }
        } catch {
            return [SchemaViolation(instancePath: "", keyword: "json", message: error.description)]
        }
    }

    public func isValid(_ payload: [UInt8]) -> Bool { payload.withUnsafeBytes { isValid($0) } }
    public func validate(_ payload: [UInt8]) -> [SchemaViolation] { payload.withUnsafeBytes { validate($0) } }

    public func validate(_ payload: JSONValue) -> [SchemaViolation] { validate(Array(payload.jsonText.utf8)) }
}
