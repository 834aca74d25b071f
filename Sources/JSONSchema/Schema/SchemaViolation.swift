/// One way a payload fails its schema: where in the payload, what is wrong, and which keyword
/// said so. Printed as `/applicant/income: -5 is less than the minimum 0 (minimum)`.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// A JSON Pointer (RFC 6901) into the payload; `""` is the whole payload.
    public var instancePath: String
    /// The failing keyword, e.g. `required`; `json` when the payload is not JSON at all.
    public var keyword: String
    public var message: String

    public init(instancePath: String, keyword: String, message: String) {
        self.instancePath = instancePath
        self.keyword = keyword
        self.message = message
    }

    /// The path for people: the pointer, or `/` for the whole payload.
    public var displayPath: String { instancePath.isEmpty ? "/" : instancePath }

    public var description: String { "\(displayPath): \(message) (\(keyword))" }
}
