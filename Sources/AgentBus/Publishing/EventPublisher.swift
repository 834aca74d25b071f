import JSONSchema
import Kafka
import Tracing

/// Publishes events: validates each payload against its type's schema, fills in the envelope,
/// picks the topic and key from the schema, and waits for the broker's acknowledgement.
///
/// An event that fails validation is never sent. The key is, in order: the key passed in, the
/// schema's `x-agentbus-key` field of the payload, the correlation ID.
///
/// With a tracer, each publish is a producer span `send <topic>` from hand-over to the broker's
/// acknowledgement, a child of the task's current `ServiceContext` (a root event with none
/// starts a trace); the event's `traceparent` is that span's context, so the agents handling it
/// continue its trace. The envelope in the returned ``PublishedEvent`` carries it.
public final class EventPublisher: Sendable {
    public let registry: SchemaRegistry
    /// `ce_source` of the events published here, e.g. `/cli` or `/agents/credit-check`.
    public let source: String
    private let producer: KafkaProducer
    private let tracing: EventTracing

    /// - Parameter tracer: the tracer of the publisher's spans. Default: whatever tracer the
    ///   process bootstrapped when the publisher is created (`InstrumentationSystem.tracer`);
    ///   with none, no span is made and events keep the `traceparent` they were built with.
    public init(
        producer: KafkaProducer, registry: SchemaRegistry, source: String, tracer: any Tracer = InstrumentationSystem.tracer
    ) {
        self.producer = producer
        self.registry = registry
        self.source = source
        self.tracing = EventTracing(tracer)
    }

    /// Builds and validates a root event (a new workflow unless `correlationID` is given)
    /// without sending it.
    public func prepare(
        type: String, payload: [UInt8], key: String? = nil, correlationID: String? = nil
    ) throws(PublishError) -> (envelope: EventEnvelope, schema: EventSchema) {
        try Self.prepare(
            type: type, payload: payload, key: key, correlationID: correlationID, registry: registry, source: source)
    }

    /// The same, with no producer: to refuse a bad event before connecting to Kafka at all.
    public static func prepare(
        type: String, payload: [UInt8], key: String? = nil, correlationID: String? = nil, registry: SchemaRegistry,
        source: String
    ) throws(PublishError) -> (envelope: EventEnvelope, schema: EventSchema) {
        guard let schema = registry.eventSchema(for: type) else {
            throw .unknownType(type, suggestions: registry.suggestions(for: type))
        }
        try validate(payload, type: type, schema: schema)
        var envelope = EventEnvelope.root(
            type: type, source: source, data: payload, dataSchema: schema.id, correlationID: correlationID)
        envelope.key = key ?? schemaKey(payload, schema) ?? envelope.correlationID
        return (envelope, schema)
    }

    /// Validates and publishes a root event with a JSON payload.
    public func publish(
        type: String, payload: [UInt8], key: String? = nil, correlationID: String? = nil
    ) async throws(PublishError) -> PublishedEvent {
        let (envelope, schema) = try prepare(type: type, payload: payload, key: key, correlationID: correlationID)
        return try await send(envelope, to: schema.topic)
    }

    /// Validates and publishes a root event with a typed payload.
    public func publish<Event: TypedEvent>(
        _ event: Event, key: String? = nil, correlationID: String? = nil
    ) async throws(PublishError) -> PublishedEvent {
        let payload: [UInt8]
        do { payload = try event.jsonPayload() } catch { throw .encoding(error) }
        return try await publish(type: Event.eventType, payload: payload, key: key, correlationID: correlationID)
    }

    /// Validates and publishes an envelope built elsewhere (a child event, a redrive), as is.
    /// Its `dataSchema` and `key` are filled in from the schema when missing.
    public func publish(_ envelope: EventEnvelope) async throws(PublishError) -> PublishedEvent {
        let schema = try self.schema(for: envelope.type)
        try Self.validate(envelope.data, type: envelope.type, schema: schema)
        var envelope = envelope
        if envelope.dataSchema == nil { envelope.dataSchema = schema.id }
        if envelope.key == nil { envelope.key = Self.schemaKey(envelope.data, schema) ?? envelope.correlationID }
        return try await send(envelope, to: schema.topic)
    }

    private func send(_ envelope: EventEnvelope, to topic: String) async throws(PublishError) -> PublishedEvent {
        var envelope = envelope
        var span: (any Span)?
        if tracing.tracer != nil {  // without a tracer, not even the parent is looked up
            span = tracing.startSendSpan(for: &envelope, topic: topic, parent: tracing.parent(publishing: envelope))
        }
        do {
            let report = try await producer.send(
                topic: topic, key: envelope.key, value: envelope.data, headers: envelope.kafkaHeaders)
            if let span { EventTracing.endSendSpan(span, partition: report.partition, offset: report.offset) }
            return PublishedEvent(envelope: envelope, topic: report.topic, partition: report.partition, offset: report.offset)
        } catch {
            if let span { EventTracing.endSendSpan(span, error: error) }
            throw .kafka(error)
        }
    }

    private func schema(for type: String) throws(PublishError) -> EventSchema {
        guard let schema = registry.eventSchema(for: type) else {
            throw .unknownType(type, suggestions: registry.suggestions(for: type))
        }
        return schema
    }

    private static func validate(_ payload: [UInt8], type: String, schema: EventSchema) throws(PublishError) {
        if schema.validator.isValid(payload) { return }
        throw .invalidPayload(type: type, violations: schema.validator.validate(payload))
    }

    static func schemaKey(_ payload: [UInt8], _ schema: EventSchema) -> String? {
        guard schema.keyField != nil, let value = try? JSONValue(parsing: payload) else { return nil }
        return schema.partitionKey(for: value)
    }
}
