/// One header of a message to send. Kafka allows several headers with the same name.
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    /// The header's bytes; `nil` sends a header with a null value (distinct from an empty one).
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header whose value is the UTF-8 of `value`.
    public init(name: String, value: String) {
        self.name = name
        self.value = Array(value.utf8)
    }
}
