import CRdKafka

extension KafkaConsumer {
    /// The consumer's position in each of `partitions`: the offset of the next record it will
    /// deliver, or nil when it has delivered none from that partition yet. No broker round trip.
    ///
    /// Tools that read a partition up to a known end need this besides the offsets of the records
    /// they see: a transaction marker (a control record, never delivered) can hold the last
    /// offset, and the position moves past it.
    public func positions(of partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition: Int64] {
        guard !partitions.isEmpty, core.gate.enter() else { return [:] }
        defer { core.gate.leave() }
        guard let positions = currentPositions(of: partitions) else { return [:] }
        var result: [KafkaTopicPartition: Int64] = [:]
        for (partition, position) in zip(partitions, positions) where position >= 0 {
            result[partition] = position
        }
        return result
    }

    /// librdkafka's position in each of `partitions`, in order (negative for none yet); nil when
    /// librdkafka cannot say. The caller holds the gate, so the handle stays open.
    func currentPositions(of partitions: [KafkaTopicPartition]) -> [Int64]? {
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions { rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
        guard rd_kafka_position(core.handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return (0..<partitions.count).map { list.pointee.elems[$0].offset }
    }
}
