/// Header names AgentBus's runtime writes on retried and dead-lettered records, besides the
/// envelope's (``EnvelopeHeader``).
public enum RuntimeHeader {
    // Spring Kafka's dead-letter headers (DeadLetterPublishingRecoverer), with Spring's binary
    // encodings: partition as a big-endian Int32, offset and timestamp as big-endian Int64.
    public static let originalTopic = "kafka_dlt-original-topic"
    public static let originalPartition = "kafka_dlt-original-partition"
    public static let originalOffset = "kafka_dlt-original-offset"
    public static let originalTimestamp = "kafka_dlt-original-timestamp"
    public static let originalTimestampType = "kafka_dlt-original-timestamp-type"
    public static let originalConsumerGroup = "kafka_dlt-original-consumer-group"
    public static let exceptionClass = "kafka_dlt-exception-fqcn"
    public static let exceptionMessage = "kafka_dlt-exception-message"
    public static let exceptionStacktrace = "kafka_dlt-exception-stacktrace"

    /// The agent that gave up on the record.
    public static let agent = "agentbus_agent"
    /// The instance of that agent.
    public static let instance = "agentbus_instance"
    /// A ``FailureClass`` raw value.
    public static let failureClass = "agentbus_failure_class"
    /// Handler attempts made so far (decimal), in place and through the retry topic together.
    public static let attempts = "agentbus_attempts"
    /// When the record was dead-lettered (RFC 3339).
    public static let failedAt = "agentbus_failed_at"

    /// On `<agent>.retry`: not before this time, in milliseconds since 1970 (decimal).
    public static let retryDue = "agentbus_retry_due"
    /// On `<agent>.retry`: where the event was first read, as `topic/partition/offset`, so a
    /// later dead letter names the event topic rather than the retry topic.
    public static let retryOrigin = "agentbus_retry_origin"
    /// On `<agent>.retry`: the dead letter this record redrives, as `topic/partition/offset`.
    public static let redrivenFrom = "agentbus_redriven_from"

    /// Every header the runtime adds, removed before it adds them again (write remove-then-add).
    public static let all: Set<String> = [
        originalTopic, originalPartition, originalOffset, originalTimestamp, originalTimestampType,
        originalConsumerGroup, exceptionClass, exceptionMessage, exceptionStacktrace, agent, instance, failureClass,
        attempts, failedAt, retryDue, retryOrigin, redrivenFrom,
    ]
}
