/// Why a JSON Schema `pattern` (or `patternProperties` key) could not be compiled.
///
/// Schema authors see this when a schema is loaded, so `message` is one line that quotes the
/// pattern, says what is wrong and, where it helps, where: `pattern "a{2,1}": quantifier range
/// is reversed at offset 4`. Offsets count Unicode scalars from the start of the pattern.
struct SchemaPatternError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The pattern as written in the schema.
    let pattern: String
    /// What is wrong, without the pattern or the offset.
    let reason: String
    /// Where it is wrong, in Unicode scalars from the start of the pattern, when one place is to blame.
    let offset: Int?

    init(pattern: String, reason: String, offset: Int? = nil) {
        self.pattern = pattern
        self.reason = reason
        self.offset = offset
    }

    var message: String {
        let location = offset.map { " at offset \($0)" } ?? ""
        return "pattern \"\(pattern.oneLine)\": \(reason)\(location)"
    }

    var description: String { message }
}
