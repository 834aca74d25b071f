/// One allocation that holds the bytes of a whole batch of received records: their keys, values,
/// header names and header values. Records point into it, so receiving a record allocates nothing.
///
/// Immutable once filled; freed when the last record of the batch is gone.
final class KafkaByteStorage: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        self.base = .allocate(byteCount: max(capacity, 1), alignment: 8)
    }

    deinit { base.deallocate() }
}

/// Where one received header lives in a ``KafkaByteStorage``.
struct KafkaHeaderSlot {
    var nameOffset: Int32
    var nameCount: Int32
    var valueOffset: Int32
    /// -1 for a null value.
    var valueCount: Int32
}
