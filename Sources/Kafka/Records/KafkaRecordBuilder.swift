/// Assembles records from bytes held elsewhere (a saved log being read back, a test) into one
/// allocation each, the way received records are laid out, without a `String` or an array per
/// header.
///
/// Reuse one builder for many records: its scratch buffers keep their capacity, so each
/// ``makeRecord(topic:partition:offset:timestamp:)`` allocates only the record's storage.
package struct KafkaRecordBuilder: Sendable {
    private struct PendingHeader {
        var nameOffset: Int
        var nameCount: Int
        var valueOffset: Int
        /// -1 for a null value.
        var valueCount: Int
    }

    private var bytes: [UInt8] = []
    private var headers: [PendingHeader] = []
    private var key: Range<Int>?
    private var value: Range<Int> = 0..<0

    package init() {}

    /// Forgets the key, value and headers given so far.
    package mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        headers.removeAll(keepingCapacity: true)
        key = nil
        value = 0..<0
    }

    /// The record's key; nil (the default) for a record without one.
    package mutating func setKey(_ key: UnsafeRawBufferPointer?) {
        if let key { self.key = append(key) } else { self.key = nil }
    }

    /// The record's value; empty (the default) for a tombstone.
    package mutating func setValue(_ value: UnsafeRawBufferPointer) {
        self.value = append(value)
    }

    /// Adds a header after those added before; a nil `value` is a header with a null value.
    package mutating func appendHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?) {
        let name = append(name)
        var valueRange: Range<Int>?
        if let value { valueRange = append(value) }
        let value = valueRange
        headers.append(PendingHeader(
            nameOffset: name.lowerBound, nameCount: name.count, valueOffset: value?.lowerBound ?? 0,
            valueCount: value?.count ?? -1))
    }

    /// A record holding copies of everything given since the last ``reset()``.
    package func makeRecord(topic: String, partition: Int32, offset: Int64, timestamp: KafkaTimestamp?) -> KafkaRecord {
        let slotBytes = headers.count * MemoryLayout<KafkaHeaderSlot>.stride
        let storage = KafkaByteStorage(capacity: slotBytes + bytes.count)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress, !source.isEmpty {
                (storage.base + slotBytes).copyMemory(from: base, byteCount: source.count)
            }
        }
        for (index, header) in headers.enumerated() {
            let slot = KafkaHeaderSlot(
                nameOffset: Int32(slotBytes + header.nameOffset), nameCount: Int32(header.nameCount),
                valueOffset: Int32(slotBytes + header.valueOffset), valueCount: Int32(header.valueCount))
            (storage.base + index * MemoryLayout<KafkaHeaderSlot>.stride).storeBytes(of: slot, as: KafkaHeaderSlot.self)
        }
        let keyBytes = key.map { KafkaBytes(storage: storage, offset: slotBytes + $0.lowerBound, count: $0.count) }
        let valueBytes = KafkaBytes(storage: storage, offset: slotBytes + value.lowerBound, count: value.count)
        return KafkaRecord(
            topic: topic, partition: partition, offset: offset, timestamp: timestamp, key: keyBytes, value: valueBytes,
            headers: KafkaRecordHeaders(storage: storage, slotsOffset: 0, count: headers.count), topicSlot: -1)
    }

    private mutating func append(_ source: UnsafeRawBufferPointer) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: source)
        return start..<bytes.count
    }
}
