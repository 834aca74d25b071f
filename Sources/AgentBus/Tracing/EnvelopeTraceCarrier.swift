import Tracing

/// Trace context in and out of an ``EventEnvelope``, for `Tracer.inject` and `Tracer.extract`:
/// `traceparent` is ``EventEnvelope/traceParent``, `tracestate` is ``EventEnvelope/traceState``.
///
/// Other keys a propagator writes (`baggage`, B3's headers) are dropped: the envelope carries W3C
/// Trace Context only, which is what other Kafka clients and tracing backends understand. A
/// `traceparent` that does not parse is dropped too, keeping the envelope's own; a tracer that
/// injects no `tracestate` leaves the envelope's as it was, since W3C asks for it to be passed on.
struct EnvelopeTraceCarrier: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout EventEnvelope) {
        switch key {
        case EnvelopeHeader.traceParent:
            if let traceParent = TraceParent(value) { carrier.traceParent = traceParent }
        case EnvelopeHeader.traceState:
            carrier.traceState = value
        default:
            break
        }
    }

    func extract(key: String, from carrier: EventEnvelope) -> String? {
        switch key {
        case EnvelopeHeader.traceParent: carrier.traceParent?.description
        case EnvelopeHeader.traceState: carrier.traceState
        default: nil
        }
    }
}
