import Kafka

/// A record in `<agent>.dlt`: the original key, value and headers, plus where it came from and
/// why it failed.
///
/// Written with Spring Kafka's header names and binary encodings, so Spring tooling reads
/// AgentBus dead letters; read accepting Spring's binary form and the decimal strings Kafka
/// Connect and Kafka Streams write.
public struct DeadLetter: Sendable {
    /// Where the event was first read: its event topic, even when it failed on a retry.
    public var originalTopic: String?
    public var originalPartition: Int32?
    public var originalOffset: Int64?
    public var originalTimestamp: Int64?
    public var consumerGroup: String?
    public var agent: String?
    public var instance: String?
    public var failureClass: FailureClass?
    public var attempts: Int?
    /// The error's type (`kafka_dlt-exception-fqcn`) and one-line message.
    public var errorType: String?
    public var reason: String?
    public var failedAt: String?
    /// The record as it sits in the DLT.
    public var record: KafkaRecord

    /// Reads the provenance headers of a dead-letter record; missing or unreadable ones are nil.
    public init(record: KafkaRecord) {
        self.record = record
        let headers = record.headers
        func text(_ name: String) -> String? { headers.string(named: name) }
        originalTopic = text(RuntimeHeader.originalTopic)
        originalPartition = headers[RuntimeHeader.originalPartition].flatMap(Self.integer).flatMap { Int32(exactly: $0) }
        originalOffset = headers[RuntimeHeader.originalOffset].flatMap(Self.integer)
        originalTimestamp = headers[RuntimeHeader.originalTimestamp].flatMap(Self.integer)
        consumerGroup = text(RuntimeHeader.originalConsumerGroup)
        agent = text(RuntimeHeader.agent)
        instance = text(RuntimeHeader.instance)
        failureClass = text(RuntimeHeader.failureClass).flatMap(FailureClass.init(rawValue:))
        attempts = text(RuntimeHeader.attempts).flatMap { Int($0) }
        errorType = text(RuntimeHeader.exceptionClass)
        reason = text(RuntimeHeader.exceptionMessage)
        failedAt = text(RuntimeHeader.failedAt)
    }

    /// The headers of the original record, without the provenance this dead letter added: what
    /// a redrive sends again.
    public var originalHeaders: [KafkaHeader] {
        record.headers.compactMap { header in
            RuntimeHeader.all.contains(header.name) ? nil : KafkaHeader(name: header.name, value: header.value?.array)
        }
    }

    /// Spring's encoding (big-endian, 4 or 8 bytes) or a decimal string.
    static func integer(_ bytes: KafkaBytes) -> Int64? {
        if let text = bytes.validUTF8String, let value = Int64(text) {
            return value
        }
        guard bytes.count == 4 || bytes.count == 8 else { return nil }
        var value: Int64 = 0
        for byte in bytes { value = value << 8 | Int64(byte) }
        return bytes.count == 4 ? Int64(Int32(truncatingIfNeeded: value)) : value
    }

    /// The headers a dead letter carries: the original's (less any earlier provenance), then
    /// Spring's, then AgentBus's.
    static func headers(
        original record: KafkaRecord, origin: RecordOrigin, group: String, agent: String, instance: String,
        failureClass: FailureClass, attempts: Int, errorType: String, reason: String, trace: String, failedAt: EventTime
    ) -> [KafkaHeader] {
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(record.headers.count + 14)
        for header in record.headers where !RuntimeHeader.all.contains(header.name) {
            headers.append(KafkaHeader(name: header.name, value: header.value?.array))
        }
        headers.append(KafkaHeader(name: RuntimeHeader.originalTopic, value: origin.topic))
        headers.append(KafkaHeader(name: RuntimeHeader.originalPartition, value: bigEndian(origin.partition)))
        headers.append(KafkaHeader(name: RuntimeHeader.originalOffset, value: bigEndian(origin.offset)))
        if let timestamp = record.timestamp {
            headers.append(KafkaHeader(name: RuntimeHeader.originalTimestamp, value: bigEndian(timestamp.millisecondsSince1970)))
            headers.append(KafkaHeader(
                name: RuntimeHeader.originalTimestampType,
                value: timestamp.kind == .createTime ? "CreateTime" : "LogAppendTime"))
        }
        headers.append(KafkaHeader(name: RuntimeHeader.originalConsumerGroup, value: group))
        headers.append(KafkaHeader(name: RuntimeHeader.exceptionClass, value: errorType))
        headers.append(KafkaHeader(name: RuntimeHeader.exceptionMessage, value: reason))
        headers.append(KafkaHeader(name: RuntimeHeader.exceptionStacktrace, value: trace))
        headers.append(KafkaHeader(name: RuntimeHeader.agent, value: agent))
        headers.append(KafkaHeader(name: RuntimeHeader.instance, value: instance))
        headers.append(KafkaHeader(name: RuntimeHeader.failureClass, value: failureClass.rawValue))
        headers.append(KafkaHeader(name: RuntimeHeader.attempts, value: String(attempts)))
        headers.append(KafkaHeader(name: RuntimeHeader.failedAt, value: failedAt.description))
        return headers
    }

    private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
