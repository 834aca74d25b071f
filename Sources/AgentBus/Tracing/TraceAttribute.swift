/// The span attribute names AgentBus sets: OpenTelemetry's messaging (Kafka) and CloudEvents
/// semantic conventions (v1.27 and later; the messaging ones are still marked "development"),
/// then AgentBus's own under `agentbus.`.
enum TraceAttribute {
    static let messagingSystem = "messaging.system"
    static let operationType = "messaging.operation.type"
    static let operationName = "messaging.operation.name"
    static let destinationName = "messaging.destination.name"
    static let partitionID = "messaging.destination.partition.id"
    static let kafkaOffset = "messaging.kafka.offset"
    static let kafkaMessageKey = "messaging.kafka.message.key"
    static let messageID = "messaging.message.id"
    /// OpenTelemetry's name for what AgentBus calls the correlation ID.
    static let conversationID = "messaging.message.conversation_id"
    static let consumerGroup = "messaging.consumer.group.name"
    static let clientID = "messaging.client.id"
    static let errorType = "error.type"
    static let exceptionType = "exception.type"
    static let exceptionMessage = "exception.message"

    static let cloudEventID = "cloudevents.event_id"
    static let cloudEventSource = "cloudevents.event_source"
    static let cloudEventType = "cloudevents.event_type"
    static let cloudEventSpecVersion = "cloudevents.event_spec_version"

    static let correlationID = "agentbus.correlation_id"
    static let causationID = "agentbus.causation_id"
    static let hops = "agentbus.hops"
    static let agent = "agentbus.agent"
    static let instance = "agentbus.instance"
    static let outcome = "agentbus.outcome"
    static let attempts = "agentbus.attempts"
    static let attempt = "agentbus.attempt"
    static let failureClass = "agentbus.failure_class"
}
