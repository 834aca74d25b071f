import CRdKafka

/// Told how the delivery of messages sent with
/// ``KafkaProducer/produce(topic:key:value:headers:partition:callback:)`` ended.
///
/// Subclass it and override ``delivered(partition:offset:)`` and ``failed(_:)``. They run on the
/// producer's polling thread or, now and then, on a thread that is producing (which serves
/// pending reports to keep librdkafka's allocations thread-local), so reports for different
/// messages may run concurrently: keep the subclass's state thread-safe, keep the methods short,
/// never block, and call no producer method that waits. Every message gets exactly one report:
/// one never acknowledged fails once its `deliveryTimeout` passes, or when the producer is closed.
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
