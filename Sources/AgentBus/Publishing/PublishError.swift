import JSONSchema
import Kafka

/// Why an event was not published. Nothing reaches Kafka in any of these cases except `kafka`,
/// where the broker did not acknowledge the event.
public enum PublishError: Error, Sendable, CustomStringConvertible {
    /// No schema declares this `ce_type`; `suggestions` are the closest known types.
    case unknownType(String, suggestions: [String])
    /// The payload fails its schema.
    case invalidPayload(type: String, violations: [SchemaViolation])
    /// A typed event could not be encoded.
    case encoding(EventCodingError)
    /// Kafka did not take the event.
    case kafka(KafkaError)
    /// A handler published two outputs under one explicit name: names identify outputs (their
    /// event IDs derive from them), so each must be unique within one handling.
    case duplicateOutputName(String, input: String)
    /// The handler used something its agent does not declare: timers without
    /// ``Agent/usesTimers``, state without ``Agent/usesState``.
    case notEnabled(String)
    /// The handler published (or scheduled) a type its agent does not list in
    /// ``Agent/produces``: its topics, and the ACLs `agentbus topics acl` grants, come from that
    /// list, so on a cluster with an authorizer the event could not be written.
    case undeclaredType(String, agent: String)

    public var description: String {
        switch self {
        case .unknownType(let type, let suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: ", "))?"
            return "unknown event type \"\(type)\"\(hint)"
        case .invalidPayload(let type, let violations):
            let first = violations.first.map { "schema: \($0)" } ?? "schema: invalid"
            let more = violations.count > 1 ? " (and \(violations.count - 1) more)" : ""
            return "\(type) payload is invalid: \(first)\(more)"
        case .encoding(let error):
            return error.message
        case .kafka(let error):
            return "not published: \(error.message)"
        case .duplicateOutputName(let name, let input):
            return "output name \"\(name)\" is used twice in one handling of \(input); names identify outputs, so each must be unique"
        case .notEnabled(let reason):
            return reason
        case .undeclaredType(let type, let agent):
            return "agent \(agent) publishes \(type), which is not among the types it produces: add it to `produces`"
        }
    }
}
