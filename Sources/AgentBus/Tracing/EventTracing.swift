import Kafka
import Tracing

/// The spans AgentBus opens, on whatever tracer is bootstrapped (swift-distributed-tracing's
/// `InstrumentationSystem`) or injected: a consumer span `process <topic>` per handled record, a
/// producer span `send <topic>` per published event. docs/tracing.md has the attributes and how
/// the spans relate.
///
/// With the `NoOpTracer` (the default until a tracer is bootstrapped) ``tracer`` is nil and every
/// method returns at its first line: no context is extracted or injected, no span is started,
/// and events keep the `traceparent` the runtime gives them itself (a child span ID in the
/// input's trace). With a real tracer, attributes are built only for spans that are recording
/// (a span the sampler dropped still propagates its context).
struct EventTracing: Sendable {
    /// nil when tracing is off.
    let tracer: (any Tracer)?

    init(_ tracer: any Tracer) {
        self.tracer = tracer is NoOpTracer ? nil : tracer
    }

    // MARK: Consumer spans

    /// Starts the span of one record being handled. Its parent is the producer span whose
    /// context the record carries (in `traceparent`), and it links to that span too, as
    /// OpenTelemetry's messaging conventions ask: backends that draw only links, or only
    /// parents, both show the hop.
    func startProcessSpan(
        for record: KafkaRecord, envelope: EventEnvelope?, agent: String, instance: String
    ) -> (any Span)? {
        guard let tracer else { return nil }
        var producer = ServiceContext.topLevel
        tracer.extract(record.headers, into: &producer, using: KafkaRecordExtractor())
        let span = tracer.startSpan("process \(record.topic)", context: producer, ofKind: .consumer)
        guard span.isRecording else { return span }
        if !producer.isEmpty { span.addLink(SpanLink(context: producer, attributes: [:])) }
        span.updateAttributes { attributes in
            attributes.set(TraceAttribute.messagingSystem, value: .string("kafka"))
            attributes.set(TraceAttribute.operationType, value: .string("process"))
            attributes.set(TraceAttribute.operationName, value: .string("process"))
            attributes.set(TraceAttribute.destinationName, value: .string(record.topic))
            attributes.set(TraceAttribute.partitionID, value: .string(String(record.partition)))
            attributes.set(TraceAttribute.kafkaOffset, value: .int64(record.offset))
            attributes.set(TraceAttribute.consumerGroup, value: .string(agent))
            attributes.set(TraceAttribute.clientID, value: .string("\(agent)-\(instance)"))
            attributes.set(TraceAttribute.agent, value: .string(agent))
            attributes.set(TraceAttribute.instance, value: .string(instance))
            let key = envelope?.key
                ?? record.key?.validUTF8String
            if let key { attributes.set(TraceAttribute.kafkaMessageKey, value: .string(key)) }
            if let envelope { Self.describe(envelope, in: &attributes) }
        }
        return span
    }

    /// Adds one failed handler attempt to the record's span, as an OpenTelemetry `exception`
    /// event (the span's status is left to the outcome: a later attempt may succeed).
    func recordFailedAttempt(_ failure: HandlerFailure, attempt: Int, on span: (any Span)?) {
        guard let span, span.isRecording else { return }
        span.addEvent(SpanEvent(name: "exception", attributes: [
            TraceAttribute.exceptionType: .string(failure.errorType),
            TraceAttribute.exceptionMessage: .string(failure.message),
            TraceAttribute.failureClass: .string(failure.failureClass.rawValue),
            TraceAttribute.attempt: .int64(Int64(attempt)),
        ]))
    }

    /// Puts the record's outcome on its span; a retry or a dead letter sets status `error`.
    func recordOutcome(_ outcome: Outcome, on span: (any Span)?) {
        guard let span, span.isRecording else { return }
        span.updateAttributes { attributes in
            attributes.set(TraceAttribute.outcome, value: .string(outcome.result.rawValue))
            attributes.set(TraceAttribute.attempts, value: .int64(Int64(outcome.attempts)))
            if let failureClass = outcome.failureClass {
                attributes.set(TraceAttribute.failureClass, value: .string(failureClass.rawValue))
            }
            if let errorType = outcome.errorType { attributes.set(TraceAttribute.errorType, value: .string(errorType)) }
        }
        switch outcome.result {
        case .retried, .deadLettered, .rejected:
            span.setStatus(SpanStatus(code: .error, message: outcome.error))
        case .ok, .duplicate, .cancelled:
            break
        }
    }

    /// Marks a span whose record was abandoned by a stop (it is read again by the next owner).
    func recordAbandoned(on span: (any Span)?) {
        guard let span, span.isRecording else { return }
        span.attributes.set(TraceAttribute.outcome, value: .string("abandoned"))
    }

    // MARK: Producer spans

    /// Starts the span of sending `envelope` to `topic` as a child of `parent`, and writes the
    /// span's context into the envelope's `traceparent` (and `tracestate`), so the record on
    /// Kafka carries this span and the consumer's span becomes its child.
    ///
    /// End the span with ``endSendSpan(_:partition:offset:)`` or ``endSendSpan(_:error:)``.
    func startSendSpan(
        for envelope: inout EventEnvelope, topic: String, parent: ServiceContext, agent: String? = nil
    ) -> (any Span)? {
        guard let tracer else { return nil }
        let span = tracer.startSpan("send \(topic)", context: parent, ofKind: .producer)
        tracer.inject(span.context, into: &envelope, using: EnvelopeTraceCarrier())
        guard span.isRecording else { return span }
        span.updateAttributes { attributes in
            attributes.set(TraceAttribute.messagingSystem, value: .string("kafka"))
            attributes.set(TraceAttribute.operationType, value: .string("send"))
            attributes.set(TraceAttribute.operationName, value: .string("send"))
            attributes.set(TraceAttribute.destinationName, value: .string(topic))
            if let key = envelope.key { attributes.set(TraceAttribute.kafkaMessageKey, value: .string(key)) }
            if let agent { attributes.set(TraceAttribute.agent, value: .string(agent)) }
            Self.describe(envelope, in: &attributes)
        }
        return span
    }

    /// The context a span for publishing `envelope` outside any handler descends from: the
    /// task's current context when there is one; otherwise, for an event that continues a
    /// workflow (it has a cause), the trace its own `traceparent` names, so the trace goes on;
    /// for a root event, none, so its send span starts a trace.
    func parent(publishing envelope: EventEnvelope) -> ServiceContext {
        if let current = ServiceContext.current { return current }
        var context = ServiceContext.topLevel
        if let tracer, !envelope.isRoot {
            tracer.extract(envelope, into: &context, using: EnvelopeTraceCarrier())
        }
        return context
    }

    /// Ends a send span when the broker acknowledged the message.
    static func endSendSpan(_ span: any Span, partition: Int32, offset: Int64) {
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes.set(TraceAttribute.partitionID, value: .string(String(partition)))
                attributes.set(TraceAttribute.kafkaOffset, value: .int64(offset))
            }
        }
        span.end()
    }

    /// Ends a send span whose message was refused or not delivered.
    static func endSendSpan(_ span: any Span, error: KafkaError) {
        if span.isRecording {
            span.recordError(error)
            span.attributes.set(TraceAttribute.errorType, value: .string(error.librdkafkaName ?? error.code.description))
            span.setStatus(SpanStatus(code: .error, message: error.message))
        }
        span.end()
    }

    // MARK: Attributes

    /// The event's identity, in the messaging and CloudEvents conventions' names and AgentBus's.
    private static func describe(_ envelope: EventEnvelope, in attributes: inout SpanAttributes) {
        attributes.set(TraceAttribute.messageID, value: .string(envelope.id))
        attributes.set(TraceAttribute.conversationID, value: .string(envelope.correlationID))
        attributes.set(TraceAttribute.cloudEventID, value: .string(envelope.id))
        attributes.set(TraceAttribute.cloudEventSource, value: .string(envelope.source))
        attributes.set(TraceAttribute.cloudEventType, value: .string(envelope.type))
        attributes.set(TraceAttribute.cloudEventSpecVersion, value: .string(EnvelopeHeader.supportedSpecVersion))
        attributes.set(TraceAttribute.correlationID, value: .string(envelope.correlationID))
        if let causationID = envelope.causationID {
            attributes.set(TraceAttribute.causationID, value: .string(causationID))
        }
        attributes.set(TraceAttribute.hops, value: .int64(Int64(envelope.hops)))
    }
}
