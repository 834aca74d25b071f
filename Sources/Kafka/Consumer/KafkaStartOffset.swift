/// Where a consumer starts reading a partition it was assigned by hand.
public enum KafkaStartOffset: Sendable, Hashable {
    /// The oldest record the broker still has.
    case beginning
    /// The next record produced. Resolved by the broker when the fetch starts, so records
    /// produced between ``KafkaConsumer/assign(_:)`` and then are skipped; for an exact start,
    /// read the high watermark with ``KafkaAdmin/watermarks(of:timeout:)`` and use `.offset`.
    case end
    /// This offset exactly.
    case offset(Int64)

    var librdkafkaValue: Int64 {
        switch self {
        case .beginning: -2  // RD_KAFKA_OFFSET_BEGINNING
        case .end: -1  // RD_KAFKA_OFFSET_END
        case .offset(let offset): offset
        }
    }
}
