import Kafka

/// Where a ``PartitionLedger`` stores the offsets of finished records: the agent's consumer, or
/// a recording stand-in in unit tests of the ledger.
protocol OffsetStore: Sendable {
    func storeOffset(for record: KafkaRecord) throws(KafkaError)
}

extension KafkaConsumer: OffsetStore {}
