import AgentBus

extension DeadLetter {
    /// Where the event was first read, from the `kafka_dlt-original-*` headers; nil when one of
    /// them is missing or unreadable.
    public var origin: RecordOrigin? {
        guard let originalTopic, let originalPartition, let originalOffset else { return nil }
        return RecordOrigin(topic: originalTopic, partition: originalPartition, offset: originalOffset)
    }
}
