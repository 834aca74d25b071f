extension KafkaRecord {
    /// A copy whose key, value and headers live in one allocation of their own.
    ///
    /// A received record shares its ``KafkaByteStorage`` with every record of the batch it came
    /// in, so holding it keeps the whole batch alive; copy a record you keep long after its batch
    /// is done (a retry waiting for its due time). Everything else stays as it was, the topic
    /// slot and generation included, so the copy's offset can be stored like the original's.
    package func withOwnStorage() -> KafkaRecord {
        let headerBase = headers.storage.base + headers.slotsOffset
        func slot(_ index: Int) -> KafkaHeaderSlot {
            headerBase.load(fromByteOffset: index * MemoryLayout<KafkaHeaderSlot>.stride, as: KafkaHeaderSlot.self)
        }
        var layout = KafkaBatchLayout()
        layout.reserve(bytes: (key?.count ?? 0) + value.count)
        for index in 0..<headers.count {
            let slot = slot(index)
            layout.reserveHeader(nameBytes: Int(slot.nameCount), valueBytes: max(0, Int(slot.valueCount)))
        }
        var writer = KafkaBatchWriter(storage: KafkaByteStorage(capacity: layout.byteCount), slotCount: layout.slotCount)
        let key = self.key.map { key in key.withUnsafeBytes { writer.write($0) } }
        let value = self.value.withUnsafeBytes { writer.write($0) }
        let headersStart = writer.beginHeaders()
        let source = headers.storage.base
        for index in 0..<headers.count {
            let slot = slot(index)
            let name = UnsafeRawBufferPointer(start: source + Int(slot.nameOffset), count: Int(slot.nameCount))
            let value = slot.valueCount < 0
                ? nil : UnsafeRawBufferPointer(start: source + Int(slot.valueOffset), count: Int(slot.valueCount))
            writer.appendHeader(name: name, value: value)
        }
        return KafkaRecord(
            topic: topic, partition: partition, offset: offset, timestamp: timestamp, key: key, value: value,
            headers: KafkaRecordHeaders(storage: writer.storage, slotsOffset: headersStart, count: headers.count),
            topicSlot: topicSlot, generation: generation)
    }

    /// The allocation that holds the record's value: for tests that check what keeps a batch's
    /// memory alive (hold it weakly).
    package var valueStorage: AnyObject { value.storage }
}
