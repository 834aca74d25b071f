/// Counts what a batch of records needs in its ``KafkaByteStorage``: header slots first (aligned),
/// then all bytes.
struct KafkaBatchLayout {
    private(set) var slotCount = 0
    private(set) var dataByteCount = 0

    var byteCount: Int { slotCount * MemoryLayout<KafkaHeaderSlot>.stride + dataByteCount }

    mutating func reserve(bytes: Int) { dataByteCount += bytes }
    mutating func reserveHeader(nameBytes: Int, valueBytes: Int) {
        slotCount += 1
        dataByteCount += nameBytes + valueBytes
    }

    mutating func reserve(headers: [KafkaHeader]) {
        for header in headers {
            reserveHeader(nameBytes: header.name.utf8.count, valueBytes: header.value?.count ?? 0)
        }
    }
}

/// Fills a ``KafkaByteStorage`` laid out by ``KafkaBatchLayout`` and hands out views into it.
struct KafkaBatchWriter {
    let storage: KafkaByteStorage
    private var nextSlotOffset = 0
    private var nextByteOffset: Int

    init(storage: KafkaByteStorage, slotCount: Int) {
        self.storage = storage
        self.nextByteOffset = slotCount * MemoryLayout<KafkaHeaderSlot>.stride
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) -> KafkaBytes {
        let offset = copy(bytes)
        return KafkaBytes(storage: storage, offset: offset, count: bytes.count)
    }

    /// Starts the headers of one record; add them with ``appendHeader(name:value:)``.
    mutating func beginHeaders() -> Int { nextSlotOffset }

    mutating func appendHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?) {
        let nameOffset = copy(name)
        let valueOffset = value.map { copy($0) } ?? 0
        let slot = KafkaHeaderSlot(
            nameOffset: Int32(nameOffset), nameCount: Int32(name.count), valueOffset: Int32(valueOffset),
            valueCount: value.map { Int32($0.count) } ?? -1)
        (storage.base + nextSlotOffset).storeBytes(of: slot, as: KafkaHeaderSlot.self)
        nextSlotOffset += MemoryLayout<KafkaHeaderSlot>.stride
    }

    mutating func write(headers: [KafkaHeader]) -> KafkaRecordHeaders {
        let start = beginHeaders()
        for header in headers {
            var name = header.name
            name.withUTF8 { name in
                if let value = header.value {
                    value.withUnsafeBytes { appendHeader(name: UnsafeRawBufferPointer(name), value: $0) }
                } else {
                    appendHeader(name: UnsafeRawBufferPointer(name), value: nil)
                }
            }
        }
        return KafkaRecordHeaders(storage: storage, slotsOffset: start, count: headers.count)
    }

    private mutating func copy(_ bytes: UnsafeRawBufferPointer) -> Int {
        let offset = nextByteOffset
        if let source = bytes.baseAddress, bytes.count > 0 {
            precondition(offset + bytes.count <= storage.capacity, "batch layout undercounted")
            (storage.base + offset).copyMemory(from: source, byteCount: bytes.count)
        }
        nextByteOffset += bytes.count
        return offset
    }
}
