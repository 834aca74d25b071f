/// Handles one event type: the runtime calls it with each event of that type, decoded.
///
/// A handler that returns has handled the event: the events it published through the context are
/// sent, and the input's offset is stored once they are acknowledged. A handler that throws is
/// retried (see ``RetryPolicy``) unless the error is a ``NonRetryableError``.
public struct EventHandler: Sendable {
    /// The `ce_type` handled.
    public let eventType: String
    package let body: @Sendable (EventEnvelope, HandlerContext) async throws -> Void

    /// A typed handler: the payload is decoded into `Event` (after it passed its schema).
    public init<Event: TypedEvent>(
        _ event: Event.Type, _ handle: @escaping @Sendable (Event, HandlerContext) async throws -> Void
    ) {
        eventType = Event.eventType
        body = { envelope, context in
            let payload: Event
            do throws(EventCodingError) {
                payload = try Event(jsonPayload: envelope.data)
            } catch {
                throw PayloadDecodingError(error)
            }
            try await handle(payload, context)
        }
    }

    /// An untyped handler for `eventType`: it gets the envelope, whose `data` passed the type's
    /// schema. For agents that forward or inspect JSON without a Swift type.
    public init(type eventType: String, _ handle: @escaping @Sendable (EventEnvelope, HandlerContext) async throws -> Void) {
        self.eventType = eventType
        body = handle
    }
}

/// A payload passed its schema but did not decode into the handler's Swift type: the type and
/// the schema disagree, which no retry fixes (failure class `schema`).
struct PayloadDecodingError: Error, CustomStringConvertible {
    let underlying: EventCodingError
    init(_ underlying: EventCodingError) { self.underlying = underlying }
    var description: String { "\(underlying)" }
}
