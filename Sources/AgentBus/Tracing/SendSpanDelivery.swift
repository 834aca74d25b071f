import Kafka
import Tracing

/// Ends a message's send span when the broker's delivery report arrives, then passes the report
/// on: so a send span lasts until the message is acknowledged (or has failed), as long as the
/// hop's latency on the producer side really is.
///
/// One is made per traced output, only when a tracer is bootstrapped. Reports arrive on the
/// producer's polling thread; ending a span there is short (tracers hand finished spans to a
/// batch processor).
final class SendSpanDelivery: KafkaDeliveryCallback, @unchecked Sendable {
    private let span: any Span
    private let next: KafkaDeliveryCallback

    init(span: any Span, next: KafkaDeliveryCallback) {
        self.span = span
        self.next = next
    }

    override func delivered(partition: Int32, offset: Int64) {
        EventTracing.endSendSpan(span, partition: partition, offset: offset)
        next.delivered(partition: partition, offset: offset)
    }

    override func failed(_ error: KafkaError) {
        EventTracing.endSendSpan(span, error: error)
        next.failed(error)
    }
}
