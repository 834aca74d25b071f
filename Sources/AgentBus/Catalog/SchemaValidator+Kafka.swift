import JSONSchema
import Kafka

extension SchemaValidator {
    /// Whether a record's value is JSON that the schema accepts, read in place.
    public func isValid(_ payload: KafkaBytes) -> Bool { payload.withUnsafeBytes { isValid($0) } }
    /// Every violation in a record's value; empty when it is valid.
    public func validate(_ payload: KafkaBytes) -> [SchemaViolation] { payload.withUnsafeBytes { validate($0) } }
}
