import AgentBus
import Kafka

/// What became of one event given to an ``AgentTester``: what the runtime would have done with
/// it, without Kafka.
public struct HandlingResult: Sendable {
    /// How the handling ended.
    public enum Outcome: Sendable, Hashable {
        /// A handler attempt returned: its outputs would be sent.
        case handled
        /// Refused before its handler ran (`poison`, `schema`, `budget`), or failed for good
        /// (`permanent`, or `transient` with every retry used up): the event would go to the
        /// agent's dead-letter topic.
        case deadLettered(FailureClass)
        /// The same event (`ce_source` and `ce_id`) was handled before by this tester, within the
        /// agent's dedupe window: skipped, nothing published.
        case duplicate
        /// The agent has no handler for the event's type, which the catalog knows: the runtime
        /// would leave it alone. (A type the catalog does not know is dead-lettered as poison.)
        case notHandled
    }

    /// An output, as the runtime would send it.
    public struct Output: Sendable {
        public let envelope: EventEnvelope
        /// The topic of its type, from the schema catalog.
        public let topic: String

        /// Its payload as `Event`.
        public func decode<Event: TypedEvent>(as type: Event.Type = Event.self) throws(EventCodingError) -> Event {
            try envelope.decode(as: type)
        }
    }

    /// What the dead letter would say.
    public struct DeadLetter: Sendable, Hashable {
        public let failureClass: FailureClass
        /// The error's type name (`kafka_dlt-exception-fqcn`): the thrown error's Swift type, or
        /// one of the runtime's own (`DeadlineExceeded`, `HopLimitExceeded`, `SchemaViolation`,
        /// `UndecodablePayload`, `EnvelopeError`).
        public let errorType: String
        /// The one-line reason (`kafka_dlt-exception-message`).
        public let reason: String
    }

    /// A wait between attempts, as the runtime would have taken it.
    public enum Wait: Sendable, Hashable {
        /// An in-place backoff (random within the policy's ceiling, as in the runtime).
        case backoff(Duration)
        /// A pass through `<agent>.retry`, due after this delay.
        case retryTopic(Duration)
        /// A model provider's rate limit (a `rateLimited` ``AgentBus/ModelError``) waited out
        /// for its `Retry-After`; the attempt it ended does not count.
        case throttled(Duration)

        public var duration: Duration {
            switch self {
            case .backoff(let duration), .retryTopic(let duration), .throttled(let duration): duration
            }
        }
    }

    /// The event given to the tester, as the handler saw it; nil for a record that is not an
    /// event (dead-lettered as `poison`).
    public let input: EventEnvelope?
    public let outcome: Outcome
    /// The outputs of the attempt that succeeded, in publishing order; empty unless ``outcome``
    /// is ``Outcome/handled``, since a failed attempt publishes nothing.
    public let outputs: [Output]
    public let deadLetter: DeadLetter?
    /// Handler attempts made, over every pass; 0 when the handler never ran.
    public let attempts: Int
    /// The waits between attempts, in order. Taken on the tester's ``ManualClock``, which they
    /// advanced.
    public let waits: [Wait]

    /// The model calls of every attempt, in the order they ended; replayed ones (served from
    /// the journal on a later attempt) are marked so.
    public internal(set) var modelCalls: [ModelCallRecord] = []
    /// What the handling added to its workflow's cost (model calls and ``AgentBus/HandlerContext/addCost(_:)``).
    public internal(set) var cost: Double = 0
    /// The timers the handling set or cancelled, in order; empty unless ``outcome`` is
    /// ``Outcome/handled``.
    public internal(set) var timers: [TimerChange] = []

    /// A timer set (with the event it will publish and when) or cancelled.
    public struct TimerChange: Sendable {
        /// `<correlation ID>/<name>`.
        public let id: String
        /// When it fires, in milliseconds since 1970; nil for a cancellation.
        public let due: Int64?
        /// The event it publishes when it fires; nil for a cancellation.
        public let event: EventEnvelope?

        init(_ write: RuntimeWrite) {
            id = write.key
            let record = KafkaRecord(
                topic: write.topic, key: Array(write.key.utf8), value: write.value ?? [], headers: write.headers)
            due = write.value == nil ? nil : record.headers.string(named: TimerHeader.due).flatMap { Int64($0) }
            event = write.value == nil ? nil : try? EventEnvelope(record: record)
        }
    }

    /// The outputs of type `Event`, decoded, in publishing order.
    public func published<Event: TypedEvent>(_ type: Event.Type) throws(EventCodingError) -> [Event] {
        var events: [Event] = []
        for output in outputs where output.envelope.type == Event.eventType {
            events.append(try output.decode(as: type))
        }
        return events
    }

    /// The output envelopes of `type` (a `ce_type`), in publishing order.
    public func published(type: String) -> [EventEnvelope] {
        outputs.filter { $0.envelope.type == type }.map(\.envelope)
    }
}
