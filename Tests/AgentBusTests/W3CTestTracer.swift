import AgentBus
import Synchronization
import Tracing

/// A tracer for tests that propagates W3C Trace Context (`traceparent`), as real tracers such as
/// swift-otel do (swift-distributed-tracing's `InMemoryTracer` propagates keys of its own, which
/// an event's envelope does not carry), and keeps every span that ends.
final class W3CTestTracer: Tracer, Sendable {
    /// A span's identity: its `traceparent` (trace ID, span ID, flags) and its parent's span ID.
    struct SpanIdentity: Sendable, Hashable {
        var traceParent: TraceParent
        var parentSpanID: UInt64?
    }

    struct FinishedSpan: Sendable {
        var name: String
        var kind: SpanKind
        var identity: SpanIdentity
        var attributes: SpanAttributes
        var links: [SpanIdentity]
        var events: [SpanEvent]
        var status: SpanStatus?

        var traceParent: TraceParent { identity.traceParent }
        var parentSpanID: UInt64? { identity.parentSpanID }

        /// A string attribute's value, or nil.
        func string(_ name: String) -> String? {
            if case .string(let value) = attributes.get(name) { return value }
            return nil
        }

        /// An integer attribute's value, or nil.
        func int(_ name: String) -> Int64? {
            switch attributes.get(name) {
            case .int64(let value): value
            case .int32(let value): Int64(value)
            default: nil
            }
        }
    }

    private let finished = Mutex<[FinishedSpan]>([])

    var finishedSpans: [FinishedSpan] { finished.withLock { $0 } }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> Span {
        var context = context()
        let identity: SpanIdentity
        if let parent = context[IdentityKey.self] {
            identity = SpanIdentity(traceParent: parent.traceParent.child(), parentSpanID: parent.traceParent.spanID)
        } else {
            identity = SpanIdentity(traceParent: .newRoot(), parentSpanID: nil)
        }
        context[IdentityKey.self] = identity
        return Span(name: operationName, kind: kind, context: context, identity: identity) { span in
            self.finished.withLock { $0.append(span) }
        }
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let identity = context[IdentityKey.self] else { return }
        injector.inject(identity.traceParent.description, forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier), let traceParent = TraceParent(header)
        else { return }
        context[IdentityKey.self] = SpanIdentity(traceParent: traceParent, parentSpanID: nil)
    }

    enum IdentityKey: ServiceContextKey {
        typealias Value = SpanIdentity
    }

    final class Span: Tracing.Span, Sendable {
        let context: ServiceContext
        private let state: Mutex<FinishedSpan>
        private let ended = Atomic<Bool>(false)
        private let onEnd: @Sendable (FinishedSpan) -> Void

        init(
            name: String, kind: SpanKind, context: ServiceContext, identity: SpanIdentity,
            onEnd: @escaping @Sendable (FinishedSpan) -> Void
        ) {
            self.context = context
            self.state = Mutex(FinishedSpan(
                name: name, kind: kind, identity: identity, attributes: [:], links: [], events: [], status: nil))
            self.onEnd = onEnd
        }

        var isRecording: Bool { !ended.load(ordering: .acquiring) }

        var operationName: String {
            get { state.withLock { $0.name } }
            set { state.withLock { $0.name = newValue } }
        }

        var attributes: SpanAttributes {
            get { state.withLock { $0.attributes } }
            set { state.withLock { $0.attributes = newValue } }
        }

        func setStatus(_ status: SpanStatus) { state.withLock { $0.status = status } }

        func addEvent(_ event: SpanEvent) { state.withLock { $0.events.append(event) } }

        func recordError<Instant: TracerInstant>(
            _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
        ) {
            addEvent(SpanEvent(name: "exception", attributes: ["exception.message": .string("\(error)")]))
        }

        func addLink(_ link: SpanLink) {
            guard let identity = link.context[IdentityKey.self] else { return }
            state.withLock { $0.links.append(identity) }
        }

        func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
            // A span ends once; a second end would be a bug in the code under test, and shows
            // as a duplicate in `finishedSpans`.
            ended.store(true, ordering: .releasing)
            onEnd(state.withLock { $0 })
        }
    }
}
