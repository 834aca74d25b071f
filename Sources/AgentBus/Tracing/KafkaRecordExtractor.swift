import Kafka
import Tracing

/// Reads trace context for `Tracer.extract` from a consumed record's headers: `traceparent`
/// and `tracestate`, or whatever else the bootstrapped tracer's propagator asks for (B3,
/// `baggage`), so context from a foreign producer is found even where the envelope keeps none.
///
/// Headers are read last-wins, as ``EventEnvelope/init(record:)`` reads them; a value that is not
/// UTF-8 is absent, since no propagator could parse it.
struct KafkaRecordExtractor: Extractor {
    func extract(key: String, from carrier: KafkaRecordHeaders) -> String? {
        carrier.string(named: key)
    }
}
