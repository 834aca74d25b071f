import CRdKafka

/// Told how the delivery of messages sent with
/// ``KafkaProducer/produce(topic:key:value:headers:partition:callback:)`` ended.
///
/// Subclass it and override ``delivered(partition:offset:)`` and ``failed(_:)``. Both run on the
/// producer's polling thread, one report at a time: keep them short, never block, and call no
/// producer method that waits. A message that is never acknowledged is reported as failed once
/// its `deliveryTimeout` passes, so every message gets exactly one report.
open class KafkaDeliveryCallback: @unchecked Sendable {
    public init() {}

    /// The broker acknowledged the message: it is at `offset` of `partition`.
    open func delivered(partition: Int32, offset: Int64) {}

    /// The message was not delivered (timed out, or refused by the broker).
    open func failed(_ error: KafkaError) {}

    /// Called by the polling thread with librdkafka's report.
    func complete(_ message: rd_kafka_message_t, error: KafkaError?) {
        if let error { failed(error) } else { delivered(partition: message.partition, offset: message.offset) }
    }
}
