/// One header of a received record.
public struct KafkaRecordHeader: Sendable, Hashable {
    public let name: String
    /// `nil` for a header sent with a null value.
    public let value: KafkaBytes?
}

/// The headers of a received record, in the order they were sent. Duplicate names are kept;
/// ``subscript(_:)`` reads the last one, as the CloudEvents Kafka binding asks.
public struct KafkaRecordHeaders: Sendable, RandomAccessCollection {
    let storage: KafkaByteStorage
    /// Byte offset of this record's first ``KafkaHeaderSlot`` in `storage`.
    let slotsOffset: Int
    public let count: Int

    init(storage: KafkaByteStorage, slotsOffset: Int, count: Int) {
        self.storage = storage
        self.slotsOffset = slotsOffset
        self.count = count
    }

    /// Headers that live in their own storage; for tests and for records built in Swift.
    public init(_ headers: [KafkaHeader]) {
        var layout = KafkaBatchLayout()
        layout.reserve(headers: headers)
        let storage = KafkaByteStorage(capacity: layout.byteCount)
        var writer = KafkaBatchWriter(storage: storage, slotCount: layout.slotCount)
        self = writer.write(headers: headers)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> KafkaRecordHeader {
        precondition(position >= 0 && position < count, "KafkaRecordHeaders index out of range")
        let slot = (storage.base + slotsOffset).load(
            fromByteOffset: position * MemoryLayout<KafkaHeaderSlot>.stride, as: KafkaHeaderSlot.self)
        let name = String(
            decoding: UnsafeRawBufferPointer(start: storage.base + Int(slot.nameOffset), count: Int(slot.nameCount)),
            as: UTF8.self)
        let value =
            slot.valueCount < 0
            ? nil : KafkaBytes(storage: storage, offset: Int(slot.valueOffset), count: Int(slot.valueCount))
        return KafkaRecordHeader(name: name, value: value)
    }

    /// The value of the last header named `name`; `nil` if there is none or its value is null.
    public subscript(_ name: String) -> KafkaBytes? {
        guard let index = lastIndex(named: name) else { return nil }
        // The value only: building the header would build its name, a heap string past 15 bytes.
        let slot = (storage.base + slotsOffset).load(
            fromByteOffset: index * MemoryLayout<KafkaHeaderSlot>.stride, as: KafkaHeaderSlot.self)
        return slot.valueCount < 0
            ? nil : KafkaBytes(storage: storage, offset: Int(slot.valueOffset), count: Int(slot.valueCount))
    }

    /// The value of the last header named `name` as UTF-8 text; `nil` if there is none, its
    /// value is null, or it is not valid UTF-8 (see ``KafkaBytes/validUTF8String``).
    public func string(named name: String) -> String? {
        self[name]?.validUTF8String
    }

    /// Index of the last header named `name`, compared byte for byte without building strings.
    public func lastIndex(named name: String) -> Int? {
        var name = name
        return name.withUTF8 { wanted in
            var index = count - 1
            while index >= 0 {
                let slot = (storage.base + slotsOffset).load(
                    fromByteOffset: index * MemoryLayout<KafkaHeaderSlot>.stride, as: KafkaHeaderSlot.self)
                if Int(slot.nameCount) == wanted.count,
                    memcmp(storage.base + Int(slot.nameOffset), wanted.baseAddress!, wanted.count) == 0
                {
                    return index
                }
                index -= 1
            }
            return nil
        }
    }

    /// Every value sent under `name`, in order.
    public func values(named name: String) -> [KafkaBytes?] {
        filter { $0.name == name }.map(\.value)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
