import JSONSchema

/// The schema of one event type: what `ce_type` names, where the events go, how they are keyed,
/// and the compiled validator for their payloads.
public struct EventSchema: Sendable {
    /// The CloudEvents type, e.g. `dev.agentbus.loan.application.received.v1`: the file name
    /// and the last segment of ``id``, without `.json`.
    public let type: String
    /// The schema's `$id`, carried in every event as `ce_dataschema`.
    public let id: String
    /// The Kafka topic events of this type are published to (`x-agentbus-topic`).
    public let topic: String
    /// The payload property whose value is the Kafka key (`x-agentbus-key`); nil keys events by
    /// correlation ID, so that one workflow stays in order on one partition.
    public let keyField: String?
    /// Sample payloads from the schema's `examples`.
    public let examples: [JSONValue]
    public let validator: SchemaValidator
    /// The schema document as written.
    public let document: JSONValue
    public let file: String?

    /// The Kafka key for `payload`: the ``keyField``'s value when the type names one and the
    /// payload has it as a string or number, else nil (key by correlation ID).
    public func partitionKey(for payload: JSONValue) -> String? {
        guard let keyField, let value = payload[keyField] else { return nil }
        switch value {
        case .string(let string): return string
        case .number(let number): return number.text
        default: return nil
        }
    }
}
