/// One schema document to load: its JSON, the URI it was retrieved from (its `$id` wins when it
/// has one), and the file it came from, for messages.
public struct SchemaDocument: Sendable {
    public var value: JSONValue
    public var uri: String
    public var file: String?

    public init(value: JSONValue, uri: String, file: String? = nil) {
        self.value = value
        self.uri = uri
        self.file = file
    }
}
