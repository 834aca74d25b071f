/// The range of offsets a partition holds: `low` is the oldest record kept, `high` the offset
/// the next record will get (so `high - low` records are there).
public struct KafkaWatermarks: Sendable, Hashable {
    public let low: Int64
    public let high: Int64

    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }
}
