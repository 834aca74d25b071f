/// Something that happened to a consumer besides records arriving.
public enum KafkaConsumerEvent: Sendable, Hashable {
    /// The group gave this consumer these partitions.
    case assigned([KafkaTopicPartition])
    /// These partitions were taken away (a rebalance or close); offsets can no longer be stored
    /// for them, and another member will continue from the last committed offset.
    case revoked([KafkaTopicPartition])
    /// Stored offsets were committed: each is the next offset the group will read.
    case committed([KafkaTopicPartitionOffset])
    /// A commit failed; the offsets stay stored and are committed with the next one.
    case commitFailed(KafkaError)
    /// An error librdkafka reported while fetching (for example a subscribed topic that does not
    /// exist). The consumer keeps going unless the error is fatal.
    case error(KafkaError)
}
